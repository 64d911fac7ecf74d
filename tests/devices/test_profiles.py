"""The simulator's card profiles (docs/idcard-reader.md §5.2) agree with the demo site."""

import tomllib
from datetime import date
from pathlib import Path

import pytest

from devices.cardtext import decode
from devices.sim import profiles
from kiosk.identity import ids

ROOT = Path(__file__).resolve().parents[2]
DEMO = tomllib.loads((ROOT / "config" / "demo" / "site.toml").read_text("utf-8"))
MEMBERS = {m["no"]: m for m in DEMO["members"]}
ALWAYS_DUE = next(c["name"] for c in DEMO["courses"] if c.get("always_due"))
PROFILES = profiles.load()
CARD_TYPES = {
    "resident": "resident",
    "longterm": "resident",
    "rare": "resident",
    "full_address": "resident",
    "hmt": "hmt",
    "foreign2017": "foreign2017",
    "foreign2023": "foreign2023",
    "unknown": "resident",
    "expired": "resident",
    "pua": "resident",
    "bad_check": "resident",
}


def card(name: str):
    return decode(profiles.text_block(PROFILES[name]))


def test_every_profile_loads_with_its_card_type():
    assert set(PROFILES) == set(CARD_TYPES)
    for name, profile in PROFILES.items():
        assert profile.name == name
        assert card(name).card_type == profile.card.card_type == CARD_TYPES[name], name


@pytest.mark.parametrize("name", [n for n, p in PROFILES.items() if p.member])
def test_a_members_card_carries_that_members_number(name):
    member = MEMBERS[PROFILES[name].member]
    c = card(name)
    assert c.id_number == member["id"]
    assert ALWAYS_DUE in member["courses"]  # so the card signs in whenever the demo runs
    assert {"1": "男", "2": "女"}[c.gender] == member["gender"]
    if c.card_type in ("resident", "hmt"):
        assert c.id_number[6:14] == f"{c.birth_date:%Y%m%d}"


def test_the_member_profiles_and_the_members_they_name():
    assert {n: p.member for n, p in PROFILES.items()} == {
        "resident": "DM0001",
        "longterm": "DM0002",
        "rare": "DM0007",
        "full_address": "DM0003",
        "hmt": "DM0010",
        "foreign2017": "DM0011",
        "foreign2023": "DM0012",
        "unknown": None,
        "expired": "DM0005",
        "pua": None,
        "bad_check": None,
    }
    assert card("resident").name == MEMBERS["DM0001"]["name"] == "谢素珍"
    assert card("rare").name == MEMBERS["DM0007"]["name"] == "王\U00020bb7祥"


def test_no_demo_member_gives_a_birth_year():
    # A member keeps none, not even a foreigner whose number holds no birth date (docs/design.md §9.1).
    assert [no for no, m in MEMBERS.items() if "birth_year" in m] == []
    assert len(MEMBERS) == 200 and all(ALWAYS_DUE in m["courses"] for m in MEMBERS.values())


@pytest.mark.parametrize("name", ["unknown", "pua", "bad_check"])
def test_the_newcomers_numbers_are_nobody_in_the_demo(name):
    number = card(name).id_number
    assert number not in {m["id"] for m in MEMBERS.values()}
    assert number[:17] not in {m["id"][:17] for m in MEMBERS.values()}


def test_the_id_number_checks_of_each_profile():
    for name, profile in PROFILES.items():
        expected = "card.id_bad_check" if name == "bad_check" else None
        assert ids.id_problem(card(name).id_number, profile.card.card_type) == expected, name


def test_what_each_profile_is_there_for():
    assert card("longterm").long_term and card("longterm").valid_to is None
    assert not card("rare").name_flagged and len(card("rare").name) == 3
    full = card("full_address")
    assert len(full.address) == 35 and len(full.address.encode("utf-16-le")) == 70 and full.id_number[-1] == "X"
    assert card("hmt").id_number[:2] in ("81", "83") and card("hmt").pass_number
    f17 = card("foreign2017")
    assert len(f17.id_number) == 15 and len(f17.name_en.encode("utf-16-le")) == 120 and f17.name == f17.name_en
    assert card("foreign2023").id_number[0] == "9" and card("foreign2023").name_en
    unknown = card("unknown")
    assert unknown.nation and unknown.address and unknown.issuer and not unknown.long_term
    assert card("expired").valid_to < date.today()
    assert card("pua").name_flagged and "□" in card("pua").name
    assert not any(card(n).name_flagged for n in PROFILES if n != "pua")


def test_photo_fingerprint_and_appended_address():
    for profile in PROFILES.values():
        assert len(profile.photo) == 1024 and len(profile.fingerprint) in (0, 512, 1024)
    assert len({p.photo for p in PROFILES.values()}) == len(PROFILES)  # one photo each
    assert profiles.load()["rare"].photo == PROFILES["rare"].photo  # the same on every run
    assert {len(p.fingerprint) for p in PROFILES.values()} == {0, 512, 1024}
    assert len(PROFILES["longterm"].fingerprint) == 1024 and PROFILES["longterm"].extra_address
    assert PROFILES["resident"].extra_address is None  # 30 03 answers SW3 91


@pytest.mark.parametrize(
    "entry, message",
    [
        ('card_type = "resident"\nid_number = "110105194910035300"\nphoto = 1', "unknown keys"),
        ('card_type = "resident"\nfingerprint = 256', "fingerprint"),
        ('card_type = "resident"\nextra_address = "' + "址" * 36 + '"', "extra_address"),
        ('card_type = "resident"\nname = "' + "名" * 16 + '"', "name"),
        ('card_type = "foreign2023"\naddress = "北京"', "address"),
        ('card_type = "resident"\nvalid_to = "2035-02-30"', "day"),
    ],
)
def test_a_wrong_profile_is_refused_when_loading(tmp_path, entry, message):
    path = tmp_path / "cards.toml"
    path.write_text(f"[wrong]\n{entry}\n", "utf-8")
    with pytest.raises(ValueError, match=message) as e:
        profiles.load(path)
    assert "'wrong'" in str(e.value)
