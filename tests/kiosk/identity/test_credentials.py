"""What a device read: never shows an ID number, and knows when two reads are the same card."""

from datetime import date

from kiosk.identity.credentials import Credential
from tests.kiosk.builders import ID_LI, ID_WANG


def test_repr_and_key_hide_the_id_number():
    cred = Credential(method="idcard", id_number=ID_WANG, name="王建华", valid_to=date(2040, 1, 1))
    assert ID_WANG not in repr(cred) and "王建华" not in repr(cred)
    assert ID_WANG not in cred.key() and ID_WANG[-4:] not in cred.key()


def test_same_card_same_key():
    assert Credential.qr("YL1-DM0001-1-ABC").key() == Credential.qr(" yl1-dm0001-1-abc\n").key()
    assert (
        Credential(method="idcard", id_number="44040119580101000x").key()
        == Credential(method="idcard", id_number="44040119580101000X").key()
    )


def test_different_cards_different_keys():
    assert Credential.qr("YL1-DM0001-1-ABC").key() != Credential.qr("YL1-DM0002-1-ABC").key()
    assert Credential(method="idcard", id_number=ID_WANG).key() != Credential(method="idcard", id_number=ID_LI).key()
    # A QR payload that happens to equal an ID number is not that ID card.
    assert Credential.qr(ID_WANG).key() != Credential(method="idcard", id_number=ID_WANG).key()
