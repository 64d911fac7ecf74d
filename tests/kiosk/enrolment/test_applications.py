"""Applying and withdrawing in an open season (kiosk.enrolment.applications): facts written, at
most max_courses, withdraw only before closing, eligibility checked inside the write, staff
applying for a senior with a reason (audited), and nothing of a birth date kept anywhere."""

import json
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest

from contract.payloads import Application as ApplicationPayload
from contract.payloads import parse
from kiosk.enrolment import applications, seasons
from kiosk.enrolment.applications import Origin, apply, withdraw
from kiosk.enrolment.eligibility import Applicant
from kiosk.staff.access import hash_pin
from kiosk.staff.audit import Actor
from kiosk.store.db import db
from kiosk.store.models import Application, Audit, Member, Outbox, Site, Staff
from tests.kiosk.builders import ID_LI, ID_WANG
from tests.kiosk.enrolment.conftest import CLOSES, DURING, OPENS, course, id_card, season

BORN = date(1955, 6, 1)  # 70 on the term's first day


@pytest.fixture
def here(settings) -> Origin:
    return Origin(settings.kiosk.id, settings.site.code)


@pytest.fixture
def wang(world, published):
    return world.member("XC0001", "王建华", ID_WANG)


def facts(kind: str = "application") -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


def test_applying_writes_a_row_and_a_fact_the_bureau_takes(wang, here):
    senior = Applicant.of("XC0001", id_card(ID_WANG, BORN))
    done = apply(senior, "s1", "c2", DURING, here)
    assert (done.kind, done.course, done.season.key) == ("applied", "太极（二）班", "s1")
    row = Application.get()
    assert (row.member_no, row.season, row.course, row.status, row.age_checked) == (
        "XC0001",
        "s1",
        "c2",
        "applied",
        True,
    )
    [fact] = facts()
    assert fact == {
        "member_no": "XC0001",
        "season": "s1",
        "course": "c2",
        "action": "apply",
        "at": DURING.isoformat(),
        "age_checked": True,
        "older": False,  # the season has no older-first group
        "reason": "",
        "kiosk_id": here.kiosk_id,
        "site": here.site,
    }
    assert isinstance(parse("application", json.dumps(fact)), ApplicationPayload)  # the bureau takes it
    # No range, no age check said; applying again changes nothing.
    assert apply(senior, "s1", "c1", DURING, here).kind == "applied"
    assert facts()[-1]["age_checked"] is False
    assert apply(senior, "s1", "c1", DURING, here).kind == "already"
    assert len(facts()) == 2


def test_at_most_max_courses_and_a_withdrawal_frees_one(wang, here):
    senior = Applicant.of("XC0001", id_card(ID_WANG, BORN))
    assert apply(senior, "s1", "c1", DURING, here).kind == "applied"
    assert apply(senior, "s1", "c2", DURING, here).kind == "applied"
    assert apply(senior, "s1", "c3", DURING, here).kind == "too_many"
    assert withdraw(senior, "s1", "c1", DURING, here).kind == "withdrawn"
    assert apply(senior, "s1", "c3", DURING, here).kind == "applied"
    assert seasons.applied("XC0001", "s1") == {"c2", "c3"}
    assert [f["action"] for f in facts()] == ["apply", "apply", "withdraw", "apply"]


def test_withdraw_only_before_the_season_closes(wang, here):
    senior = Applicant("XC0001")
    assert apply(senior, "s1", "c1", OPENS, here).kind == "applied"  # opens <= now
    assert withdraw(senior, "s1", "c1", CLOSES - timedelta(seconds=1), here).kind == "withdrawn"
    assert apply(senior, "s1", "c1", CLOSES - timedelta(seconds=1), here).kind == "applied"
    assert withdraw(senior, "s1", "c1", CLOSES, here).kind == "closed"  # now < closes
    assert apply(senior, "s1", "c1", OPENS - timedelta(seconds=1), here).kind == "closed"
    assert Application.get().status == "applied" and len(facts()) == 3


def test_a_drawn_or_withdrawn_season_takes_no_more(wang, here, published):
    senior = Applicant("XC0001")
    published.put("season:s1", season(drawn=True))
    assert apply(senior, "s1", "c1", DURING, here).kind == "closed"
    assert seasons.open_season(DURING) is None
    published.put("season:s1", None)
    assert apply(senior, "s1", "c1", DURING, here).kind == "not_found"
    assert apply(senior, "s1", "zz", DURING, here).kind == "not_found"


def test_eligibility_is_checked_when_applying(world, wang, here, published, settings):
    qr = Applicant.of("XC0001", world.qr(wang))
    done = apply(qr, "s1", "c2", DURING, here)
    assert (done.kind, done.refusal) == ("refused", "needs_id_card")
    young = Applicant("XC0001", date(1965, 9, 2))  # 60 the day after the term's first day
    assert apply(young, "s1", "c2", DURING, here).refusal == "too_young"
    assert apply(Applicant("XC0001", date(1965, 9, 1)), "s1", "c2", DURING, here).kind == "applied"
    # members only: a visitor from another site may not.
    published.put("season:s1", season(members_only=True))
    other = Site.create(code="OTHER", name="别的中心")
    Member.create(member_no="YY0001", name="李秀英", site=other)
    assert apply(Applicant("YY0001"), "s1", "c1", DURING, here).refusal == "members_only"
    assert [f["member_no"] for f in facts()] == ["XC0001"]


def test_the_cards_say_where_the_senior_stands(wang, here):
    senior = Applicant.of("XC0001", id_card(ID_WANG, BORN))
    apply(senior, "s1", "c1", DURING, here)
    shown = seasons.cards("s1", senior, here.site)
    assert [(c.key, c.title, c.applied, c.refusal) for c in shown] == [
        ("c1", "书法（一）班", True, ""),
        ("c2", "太极（二）班", False, ""),
        ("c3", "国画（一）班", False, ""),
    ]
    assert shown[1].slots == ((2, "09:00", "11:00"),) and shown[1].room == "三楼书画室" and shown[1].capacity == 30
    qr = seasons.cards("s1", Applicant("XC0001"), here.site)
    assert [c.refusal for c in qr] == ["", "needs_id_card", "needs_id_card"]
    assert seasons.categories(shown) == []  # 6 or fewer: no category screen


def test_an_older_first_season_sends_older_from_the_id_card_and_false_from_a_qr_card(world, wang, here, published):
    published.put("season:s1", season(older_first=70))
    assert seasons.open_season(DURING).older_first == 70
    world.member("XC0002", "李秀英", ID_LI)
    seventy = Applicant.of("XC0001", id_card(ID_WANG, BORN))  # 70 on the term's first day: older
    sixty_nine = Applicant("XC0002", date(1955, 9, 2))  # 70 the day after the first day: not
    assert apply(seventy, "s1", "c1", DURING, here).kind == "applied"
    assert apply(sixty_nine, "s1", "c1", DURING, here).kind == "applied"
    qr = Applicant.of("XC0002", world.qr(Member.get(Member.member_no == "XC0002")))
    assert apply(qr, "s1", "c3", DURING, here).kind == "refused"  # 65 and over: the ID card first
    assert withdraw(qr, "s1", "c1", DURING, here).kind == "withdrawn"
    assert apply(qr, "s1", "c1", DURING, here).kind == "applied"  # a QR card: not shown to be older
    sent = [(f["member_no"], f["action"], f["older"]) for f in facts()]
    assert sent == [
        ("XC0001", "apply", True),
        ("XC0002", "apply", False),
        ("XC0002", "withdraw", False),
        ("XC0002", "apply", False),
    ]
    assert all(parse("application", json.dumps(f)).older == f["older"] for f in facts())
    # The cards ask a QR-card senior for the ID card; one whose ID card was read is not asked.
    assert {c.older_needs_id for c in seasons.cards("s1", qr, here.site)} == {True}
    assert {c.older_needs_id for c in seasons.cards("s1", seventy, here.site)} == {False}
    # Without the group nobody is older, the ID card or not.
    published.put("season:s1", season())
    assert withdraw(seventy, "s1", "c1", DURING, here).kind == "withdrawn"
    assert apply(seventy, "s1", "c1", DURING, here).kind == "applied"
    assert facts()[-1]["older"] is False
    assert {c.older_needs_id for c in seasons.cards("s1", qr, here.site)} == {False}


def test_more_than_six_courses_are_picked_by_category_first(world, published, here):
    world.member("XC0001", "王建华", ID_WANG)
    for n in range(4, 9):
        published.put(f"course:c{n}", course(f"c{n}", f"合唱（{n}）班", "声乐"))
    published.put("season:s1", season(courses=[f"c{n}" for n in range(1, 9)]))
    shown = seasons.cards("s1", Applicant("XC0001"), here.site)
    assert len(shown) == 8 and seasons.categories(shown) == ["书法", "太极", "国画", "声乐"]


def test_staff_apply_for_a_senior_with_a_reason_audited(wang, here, settings):
    staff = Staff.create(name="刘老师", pin_hash=hash_pin("2580"), role="staff", site=wang.site)
    actor = Actor.of(staff, settings)
    proxy = Origin(here.kiosk_id, here.site, actor, "family")
    assert apply(Applicant("XC0001"), "s1", "c1", DURING, proxy).kind == "applied"
    [fact] = facts()
    assert (fact["reason"], fact["staff"], fact["staff_id"]) == ("family", "刘老师", staff.id)
    assert isinstance(parse("application", json.dumps(fact)), ApplicationPayload)
    entry = Audit.get()
    assert (entry.action, entry.target, entry.reason, entry.staff_name) == (
        "season.proxy_apply",
        "member XC0001",
        "family",
        "刘老师",
    )
    assert Application.get().staff_name == "刘老师"
    with pytest.raises(ValueError):
        apply(Applicant("XC0001"), "s1", "c2", DURING, Origin(here.kiosk_id, here.site, actor, ""))


def test_nothing_of_the_birth_date_is_stored_logged_or_sent(wang, here, settings, caplog):
    caplog.set_level(logging.DEBUG)
    senior = Applicant.of("XC0001", id_card(ID_WANG, BORN))
    logging.getLogger("test").info("applicant %r", senior)
    assert apply(senior, "s1", "c2", DURING, here).kind == "applied"
    assert withdraw(senior, "s1", "c2", DURING, here).kind == "withdrawn"
    assert apply(senior, "s1", "c3", DURING, here).kind == "applied"
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in Path(settings.kiosk.data_dir).glob("kiosk.db*"))
    sent = json.dumps([json.loads(o.payload) for o in Outbox.select()], ensure_ascii=False)
    for text in ("1955-06-01", "19550601", "1955"):
        assert text.encode() not in stored
        assert text not in sent
        assert text not in caplog.text
    assert applications.PROXY_REASONS == ("immobile", "family", "other")
