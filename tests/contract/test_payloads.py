"""contract.payloads: each kind's payload parsed and checked by the one parser kiosk and bureau share."""

import json

import pytest

from contract import payloads
from contract.facts import KINDS
from contract.payloads import SCHEMAS, PayloadError, parse
from contract.points import AWARD_MAX, ENTRY_MAX

SIGNIN = {
    "member_no": "DM0001",
    "kind": "lesson",
    "item_id": 7,
    "title": "太极拳",
    "start": "2026-11-20T09:00:00",
    "at": "2026-11-20T09:01:00.250000",
    "method": "idcard",
    "kiosk_id": "DEMO-001-K01",
    "site": "DEMO-001",
}
AWARD = {"member_no": "DM0001", "amount": 2, "kind": "lesson", "rule": "lesson_attendance", "at": "2026-11-20T09:01:00"}


def text(payload: dict | list | str) -> str:
    """The payload's JSON (a str is JSON already: a number json.dumps cannot write)."""
    return payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)


def with_field(payload: dict, name: str, json_text: str) -> str:
    return text(payload)[:-1] + f', "{name}": {json_text}}}'


def test_every_kind_has_a_schema():
    assert SCHEMAS.keys() == KINDS


def test_a_sign_in_as_the_kiosk_writes_it_parses():
    signin = parse("signin", text(SIGNIN))
    assert (signin.member_no, signin.title, signin.start.hour, signin.at.microsecond) == ("DM0001", "太极拳", 9, 250000)
    assert signin.site == "DEMO-001"


def test_fields_a_newer_kiosk_adds_are_ignored():
    assert parse("signin", text({**SIGNIN, "mood": "开心", "extra": [1, {"a": None}]})).member_no == "DM0001"


@pytest.mark.parametrize(
    "kind, payload, why",
    [
        ("signin", {**SIGNIN, "title": None}, "title"),
        ("signin", {k: v for k, v in SIGNIN.items() if k != "member_no"}, "member_no"),
        ("signin", with_field(SIGNIN, "item_id", "1" * 5000), "out of range"),
        ("signin", {**SIGNIN, "item_id": 2**31}, "item_id"),
        ("signin", {**SIGNIN, "item_id": True}, "item_id"),
        ("signin", {**SIGNIN, "at": "2026-11-20"}, "at"),
        ("signin", {**SIGNIN, "at": "9999-12-31T23:59:59"}, "between 1970 and 2200"),
        ("signin", {**SIGNIN, "start": "1969-12-31T23:59:59"}, "between 1970 and 2200"),
        ("signin", {**SIGNIN, "title": "太" * 256}, "title"),
        ("signin", {**SIGNIN, "title": "\x1b]0;pwned\x07红字"}, "title"),
        ("signin", {**SIGNIN, "title": "红字\x9b31m"}, "title"),  # a C1 control: CSI
        ("signin", {**SIGNIN, "title": "两\n行"}, "title"),
        ("signin", {**SIGNIN, "site": 7}, "site"),
        ("points", {**AWARD, "amount": 2**31 - 1, "kind": "correction"}, "amount"),
        ("points", {**AWARD, "amount": -(2**31), "kind": "redeem"}, "amount"),
        ("points", {**AWARD, "amount": AWARD_MAX + 1}, "an award of"),
        ("points", {**AWARD, "amount": -1}, "an award of"),
        ("points", {**AWARD, "amount": 1.5}, "amount"),
        ("member", {"member_no": "P1", "birth_year": 10**20}, "birth_year"),
        ("member", {"member_no": "P1", "name": "王\x00芳"}, "name"),
        ("member", {"member_no": ""}, "member_no"),
        ("member", [1, 2], "object"),
        ("device", {"device": "idcard", "state": "ok", "at": "2026-11-20T09:01:00", "reads": -1}, "reads"),
        ("audit", with_field({"action": "login"}, "detail", "9" * 5000), "out of range"),
        ("audit", {"detail": {"before": [1, {"n": 2**64}]}}, "detail holds a number out of range"),
        ("course", {"schedule": [{"weekday": -(2**63) - 1}]}, "schedule holds a number out of range"),
    ],
)
def test_a_payload_out_of_bounds_is_refused_saying_where(kind, payload, why):
    with pytest.raises(PayloadError, match=why):
        parse(kind, text(payload))


def test_amounts_are_bounded_per_kind():
    assert parse("points", text({**AWARD, "amount": AWARD_MAX})).amount == AWARD_MAX
    assert parse("points", text({**AWARD, "kind": "correction", "amount": -ENTRY_MAX})).amount == -ENTRY_MAX
    assert parse("points", text({**AWARD, "kind": "redeem", "amount": -50_000})).amount == -50_000


def test_free_text_may_hold_line_breaks_and_tabs_but_no_escape():
    ok = {"device": "idcard", "state": "silent", "at": "2026-11-20T09:01:00", "last_error": "超时\n\t第二行"}
    assert parse("device", text(ok)).last_error == "超时\n\t第二行"
    with pytest.raises(PayloadError, match="last_error"):
        parse("device", text({**ok, "last_error": "\x1b[2J"}))


def test_deep_nesting_and_broken_json_are_payload_errors():
    with pytest.raises(PayloadError, match="nested too deeply"):
        parse("audit", '{"detail": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(PayloadError, match="not JSON"):
        parse("member", b'{"member_no": "P1"')
    with pytest.raises(PayloadError, match="unknown kind"):
        parse("bogus", "{}")


def test_a_lesson_import_with_its_lessons_parses():
    lessons = [{"id": 1, "start": "2026-09-07 09:00:00", "end": "2026-09-07 11:00:00"}]
    lesson = parse("lesson", text({"course_id": 3, "change": "generated", "lessons": lessons}))
    assert lesson.lessons[0].end.hour == 11
    with pytest.raises(PayloadError, match="between 1970"):
        parse("lesson", text({"lessons": [{**lessons[0], "start": "1900-01-01 00:00:00"}]}))


def test_time_fields_are_known_for_each_schema():
    assert payloads._TIMES[payloads.Signin] == ("at", "start")
    assert "joined" in payloads._TIMES[payloads.Member]
