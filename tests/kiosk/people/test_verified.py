"""Names read from an ID card (kiosk/people/verified.py), as the audit trail of real registrations
and renames records them."""

from datetime import datetime

import pytest

from kiosk.identity import ids
from kiosk.people import members, newcomers, verified
from kiosk.staff.audit import Actor
from kiosk.store.models import NewcomerCard
from tests.kiosk.builders import ID_LI, ID_WANG

NOW = datetime(2025, 3, 3, 9, 0)


def register(world, settings, id_number: str, name: str, confirmed: bool = False) -> str:
    newcomers.remember(world.idcard(id_number, name=name), ids.id_hash(id_number, world.id_key), NOW)
    card = NewcomerCard.get(NewcomerCard.name == name)
    return members.register(Actor.of(None, settings), card.id, NOW, settings, name_confirmed=confirmed).member_no


def test_the_names_a_card_gave_and_staff_put_right_from_it(world, settings):
    wang = register(world, settings, ID_WANG, "王建华")
    li = register(world, settings, ID_LI, "李\u25a1华", confirmed=True)
    members.update(Actor.of(None, settings), li, NOW, reason="核对身份证原件", name="李堃华")
    members.update(Actor.of(None, settings), wang, NOW, phone="13812345678")  # no name: nothing to add
    typed = world.member("DM0100", "赵国强")  # from a spreadsheet: no card
    assert verified.card_names([wang, li, typed.member_no]) == {wang: {"王建华"}, li: {"李\u25a1华", "李堃华"}}


@pytest.mark.parametrize(
    "card, name, fills",
    [
        ("李\u25a1华", "李堃华", True),
        ("\u25a1\u25a1", "欧阳", True),
        ("李\u25a1华", "王堃华", False),
        ("李\u25a1华", "李堃", False),
        ("李建华", "李建国", False),
    ],
)
def test_only_filling_in_what_the_card_could_not_give(card, name, fills):
    assert verified.only_fills_in(card, name) is fills
