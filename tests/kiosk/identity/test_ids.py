"""ID numbers: the GB 11643 check character, keyed hashing, last 4 and name masking."""

import base64
import hashlib
import hmac
import re
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract import idhash
from kiosk.identity import ids

# docs/idcard-reader.md §1.10
VALID = [
    "440308199901101512",
    "44040119580101000X",
    "810000199408230021",
    "830000199201300022",
    "360426199101010071",
    "120103198806018241",
]
INVALID_CHECK = ["440308199901101513", "360426199101010072"]
KEY = bytes.fromhex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")


def iso7064_check(first17: str) -> str:
    """The S-IDV formulation of MOD 11-2, written independently: weights 2^(i-1) mod 11."""
    total = sum(int(d) * pow(2, 17 - n, 11) for n, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@pytest.mark.parametrize("number", VALID)
def test_reference_vectors_are_valid(number):
    assert ids.check_char(number[:17]) == number[17]
    assert ids.id_problem(number) is None


@pytest.mark.parametrize("number", INVALID_CHECK)
def test_reference_vectors_with_a_wrong_check_character_are_rejected(number):
    assert ids.check_char(number[:17]) != number[17]
    assert ids.id_problem(number) == "card.id_bad_check"


def test_lower_case_x_and_surrounding_spaces_are_accepted():
    assert ids.id_problem("44040119580101000x") is None
    assert ids.id_problem("  440308199901101512\n") is None


@pytest.mark.parametrize(
    "number",
    [
        "",
        "44030819990110151",  # 17 characters
        "4403081999011015120",  # 19 characters
        "44030819990110151A",  # a letter that is not X
        "4403081999011015X2",  # X not at the end
        "440308199902301512",  # 30 February
        "440308199913011512",  # month 13
        "440308 99901101512",
        "４４０３０８１９９９０１１０１５１２",  # full-width digits (an IME in full-width mode)
        "٤٤٠٣٠٨١٩٩٩٠١١٠١٥١٢",  # Arabic-Indic digits
    ],
)
def test_malformed_numbers_are_bad_format(number):
    assert ids.id_problem(number) == "card.id_bad_format"


def test_foreigners_2023_card_starting_with_9_needs_no_birth_date_but_a_check_character():
    prefix = "93" + "1234" + "99999999" + "123"  # no date at 6..14
    assert ids.id_problem(prefix + ids.check_char(prefix)) is None
    wrong = "0" if ids.check_char(prefix) != "0" else "1"
    assert ids.id_problem(prefix + wrong) == "card.id_bad_check"


digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


@given(digits17)
def test_check_char_agrees_with_the_iso7064_formulation(prefix):
    assert ids.check_char(prefix) == iso7064_check(prefix)
    assert ids.check_char(prefix) in "0123456789X"


@given(
    region=st.text(alphabet="0123456789", min_size=6, max_size=6).filter(lambda r: r[0] != "9"),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_check_char_makes_every_17_digit_prefix_valid(region, born, seq):
    prefix = f"{region}{born:%Y%m%d}{seq:03d}"
    number = prefix + ids.check_char(prefix)
    assert ids.id_problem(number) is None
    for other in "0123456789X":
        if other != number[17]:
            assert ids.id_problem(prefix + other) == "card.id_bad_check"


@given(digits17, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_changes_the_check_character(prefix, position, delta):
    changed = prefix[:position] + str((int(prefix[position]) + delta) % 10) + prefix[position + 1 :]
    assert ids.check_char(changed) != ids.check_char(prefix)


@given(st.text(max_size=30))
@example("４４０４０１１９５８０１０１０００X")  # full-width digits with an ASCII X that checks out
def test_a_number_that_passes_can_always_be_hashed(text):
    # Whatever a reader or a keyboard delivers: either a problem, or a number the hash accepts.
    if ids.id_problem(text) is None:
        assert re.fullmatch(r"[0-9]{17}[0-9X]", ids.normalize(text))
        assert len(ids.id_hash(text, KEY)) == idhash.LENGTH


def test_id_hash_is_keyed_normalized_and_hides_the_number():
    h = ids.id_hash("44040119580101000X", KEY)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", h)
    assert ids.id_hash(" 44040119580101000x ", KEY) == h
    assert ids.id_hash("44040119580101000X", KEY[::-1]) != h
    assert ids.id_hash("440308199901101512", KEY) != h
    assert "44040119580101000" not in h


def test_id_hash_is_scrypt_over_the_hmac_so_a_stored_hmac_upgrades_to_it():
    plain = hmac.new(KEY, b"44040119580101000X", hashlib.sha256)
    slow = hashlib.scrypt(plain.digest(), salt=b"yinling-kiosk id_hash v2", n=2**12, r=8, p=1, dklen=32)
    assert ids.id_hash("44040119580101000X", KEY) == base64.urlsafe_b64encode(slow).rstrip(b"=").decode()
    assert idhash.upgraded(plain.hexdigest()) == ids.id_hash("44040119580101000X", KEY)
    assert idhash.upgraded(ids.id_hash("44040119580101000X", KEY)) == ids.id_hash("44040119580101000X", KEY)


def test_id_hashes_of_many_numbers_are_each_ones_id_hash_in_order():
    numbers = VALID[:4]
    assert ids.id_hashes(numbers, KEY) == [ids.id_hash(n, KEY) for n in numbers]


def test_last4():
    assert ids.last4("44040119580101000x") == "000X"
    assert ids.last4("440308199901101512") == "1512"


@pytest.mark.parametrize(
    "name, masked",
    [
        ("王建华", "王*华"),
        ("王华", "王*"),
        ("欧阳建华", "欧**华"),
        ("王", "王"),
        ("", ""),
        ("王𠮷祥", "王*祥"),
        (" 王建华 ", "王*华"),
    ],
)
def test_mask_name(name, masked):
    assert ids.mask_name(name) == masked


# Other card types (docs/idcard-reader.md §1.8, §1.10): 'J' and 'Y' numbers check like resident
# ones; the 2017 foreigner's number (3 letters + 12 digits) is checked for its format only.
@pytest.mark.parametrize(
    "number, card_type",
    [
        ("810000199408230021", "hmt"),
        ("830000199201300022", "hmt"),
        ("820000195503120027", "hmt"),
        ("911410195602140039", "foreign2023"),
        ("GBR115307210015", "foreign2017"),
        ("gbr115307210015 ", "foreign2017"),
        ("440308199901101512", "resident"),
        ("440308199901101512", ""),
    ],
)
def test_valid_numbers_of_each_card_type(number, card_type):
    assert ids.id_problem(number, card_type) is None


@pytest.mark.parametrize(
    "number, card_type",
    [
        ("440308199901101512", "hmt"),  # a resident number on a 'J' card
        ("840000199408230021", "hmt"),  # 84 is no HMT prefix
        ("810000199402300021", "hmt"),  # 30 February
        ("440308199901101512", "foreign2023"),  # does not start with 9
        ("91141019560214003", "foreign2023"),  # 17 characters
        ("GBR115307210015", "resident"),
        ("GB1115307210015", "foreign2017"),  # 2 letters
        ("GBR11530721001", "foreign2017"),  # 11 digits
        ("GBR1153072100150", "foreign2017"),  # 13 digits
        ("GBR11530721001X", "foreign2017"),
        ("ＧＢＲ115307210015", "foreign2017"),  # full-width letters
        ("ßr115307210015", "foreign2017"),  # upper() makes 'SSR…' of it: still not a number
        ("440308199901101512", "foreign2017"),
    ],
)
def test_malformed_numbers_of_each_card_type(number, card_type):
    assert ids.id_problem(number, card_type) == "card.id_bad_format"


@pytest.mark.parametrize("number, card_type", [("810000199408230022", "hmt"), ("911410195602140038", "foreign2023")])
def test_hmt_and_2023_foreigner_numbers_have_a_mod_11_2_check(number, card_type):
    assert ids.id_problem(number, card_type) == "card.id_bad_check"


def test_an_unknown_card_type_is_a_programming_error():
    with pytest.raises(ValueError):
        ids.id_problem("440308199901101512", "passport")


@given(st.text(max_size=30), st.sampled_from(["resident", "hmt", "foreign2017", "foreign2023"]))
@example("gbr115307210015", "foreign2017")
@example("ßr115307210015", "foreign2017")
def test_a_number_of_any_card_type_that_passes_can_always_be_hashed(text, card_type):
    if ids.id_problem(text, card_type) is None:
        assert re.fullmatch(r"[0-9]{17}[0-9X]|[A-Z]{3}[0-9]{12}", ids.normalize(text))
        assert len(ids.id_hash(text, KEY)) == idhash.LENGTH


def test_15_character_numbers_hash_and_show_their_last_4():
    h = ids.id_hash("GBR115307210015", KEY)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", h) and ids.id_hash(" gbr115307210015\n", KEY) == h
    assert ids.id_hash("GBR115307210016", KEY) != h
    assert ids.last4("gbr115307210015") == "0015"
