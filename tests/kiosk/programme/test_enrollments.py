"""Enrolment in courses: places, the waitlist and moving up, refusals that change nothing, races."""

import json
from datetime import date, timedelta

import pytest

from kiosk.programme import enrollments
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import db
from kiosk.store.models import Audit, Enrollment, Outbox, Staff, Term
from tests.kiosk.builders import LESSON_START, Boom, fail_on_call, race

NOW = LESSON_START


@pytest.fixture
def actor(world):
    """A plain staff member: enrolling seniors is every staff member's work."""
    staff = Staff.create(name="张老师", pin_hash="-", role="staff", site=world.site)
    return Actor(staff, world.settings.kiosk.id, world.settings.site.code)


@pytest.fixture
def people(world):
    return [world.member(f"DM91{n:02d}", f"学员{n}", phone_last4=f"{n:04d}") for n in range(1, 6)]


@pytest.fixture
def taiji(world):
    """太极拳（二）班 with two places."""
    return world.course("太极拳（二）班", capacity=2, teacher="陈老师")


def enrol_all(actor, course, people, minutes=0):
    """Enrol people one minute apart, from NOW + minutes; their outcomes."""
    return [
        enrollments.enrol(actor, p.member_no, course.id, NOW + timedelta(minutes=minutes + i)).outcome
        for i, p in enumerate(people)
    ]


def status(member, course) -> str:
    return Enrollment.get(Enrollment.member == member, Enrollment.course == course).status


def payloads(kind: str) -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


def actions() -> list[tuple[str, str]]:
    return [(a.action, a.target) for a in Audit.select().order_by(Audit.id)]


def snapshot() -> dict:
    """Every row a refused change must leave as it was."""
    return {
        table: db.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("enrollment", "outbox", "audit", "course", "member")
    }


def refused(call, key: str) -> Refused:
    before = snapshot()
    with pytest.raises(Refused) as e:
        call()
    assert e.value.key == key
    assert snapshot() == before
    return e.value


# -- enrolling ----------------------------------------------------------------------------------


def test_enrol_takes_a_place_with_its_fact_and_audit(world, actor, people, taiji):
    change = enrollments.enrol(actor, people[0].member_no, taiji.id, NOW)
    assert change == enrollments.Change("enrolled", None)
    row = Enrollment.get(Enrollment.member == people[0])
    assert (row.course_id, row.status, row.at) == (taiji.id, "enrolled", NOW)
    (fact,) = payloads("enrollment")
    assert fact == {
        "member_no": "DM9101",
        "course": "太极拳（二）班",
        "term": "2025年春季学期",
        "status": "enrolled",
        "previous": "",
        "promoted": False,
        "at": NOW.isoformat(),
        **actor.origin(),
    }
    assert actions() == [("enrol.add", "member DM9101")]
    assert Audit.get().staff_name == "张老师"


def test_a_full_course_puts_seniors_on_the_waitlist_in_order(world, actor, people, taiji):
    assert enrol_all(actor, taiji, people[:4]) == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    fifth = enrollments.enrol(actor, people[4].member_no, taiji.id, NOW + timedelta(hours=1))
    assert fifth == enrollments.Change("waitlisted", 3)
    rows = enrollments.roster(taiji.id)
    assert [(r.member_no, r.status, r.position) for r in rows] == [
        ("DM9101", "enrolled", None),
        ("DM9102", "enrolled", None),
        ("DM9103", "waitlisted", 1),
        ("DM9104", "waitlisted", 2),
        ("DM9105", "waitlisted", 3),
    ]
    assert (rows[0].name, rows[0].phone_last4, rows[0].enrolled_at) == ("学员1", "0001", NOW)


def test_an_unlimited_course_never_fills(world, actor, people):
    free = world.course("合唱团", capacity=0)
    assert set(enrol_all(actor, free, people)) == {"enrolled"}


def test_the_waitlist_is_ordered_by_time_then_id_and_rows_without_a_time_come_first(world, actor, people, taiji):
    enrol_all(actor, taiji, people[:2])
    late, early, legacy = (world.enroll(p, taiji, "waitlisted") for p in people[2:])
    for row, at in ((late, NOW + timedelta(hours=2)), (early, NOW + timedelta(hours=1))):
        row.at = at
        row.save()
    assert [(r.member_no, r.position) for r in enrollments.roster(taiji.id)[2:]] == [
        ("DM9105", 1),
        ("DM9104", 2),
        ("DM9103", 3),
    ]


def test_enrolling_twice_is_refused_and_changes_nothing(world, actor, people, taiji):
    enrol_all(actor, taiji, people[:3])
    e = refused(
        lambda: enrollments.enrol(actor, people[0].member_no, taiji.id, NOW + timedelta(hours=1)), "enrol.already"
    )
    assert e.message() == "学员1已经报名「太极拳（二）班」了"
    e = refused(
        lambda: enrollments.enrol(actor, people[2].member_no, taiji.id, NOW + timedelta(hours=1)), "enrol.already"
    )
    assert e.message() == "学员3已经候补「太极拳（二）班」了"


def test_an_inactive_member_cannot_enrol(world, actor, taiji):
    gone = world.member("DM9199", "赵大爷", active=False)
    e = refused(lambda: enrollments.enrol(actor, gone.member_no, taiji.id, NOW), "enrol.inactive")
    assert e.message() == "赵大爷的学员资格已停用，不能报名"


def test_no_enrolment_after_the_term(world, actor, people, taiji):
    after = NOW.replace(year=2025, month=6, day=30)
    e = refused(lambda: enrollments.enrol(actor, people[0].member_no, taiji.id, after), "enrol.term_over")
    assert e.message() == "「太极拳（二）班」所在的学期「2025年春季学期」已经结束了"
    assert enrollments.enrol(actor, people[0].member_no, taiji.id, after - timedelta(days=1)).outcome == "enrolled"


# -- withdrawing and moving up --------------------------------------------------------------------


def test_withdraw_promotes_the_first_on_the_waitlist(world, actor, people, taiji):
    enrol_all(actor, taiji, people[:4])
    later = NOW + timedelta(days=1)
    change = enrollments.withdraw(actor, people[0].member_no, taiji.id, "搬家了", later)
    assert change == enrollments.Change("withdrawn", None, "DM9103")
    assert [status(p, taiji) for p in people[:4]] == ["withdrawn", "enrolled", "enrolled", "waitlisted"]
    assert [(r.member_no, r.position) for r in enrollments.roster(taiji.id)] == [
        ("DM9102", None),
        ("DM9103", None),
        ("DM9104", 1),
    ]
    left, moved = payloads("enrollment")[-2:]
    assert (left["member_no"], left["status"], left["previous"], left["promoted"]) == (
        "DM9101",
        "withdrawn",
        "enrolled",
        False,
    )
    assert (moved["member_no"], moved["status"], moved["previous"], moved["promoted"]) == (
        "DM9103",
        "enrolled",
        "waitlisted",
        True,
    )
    assert actions()[-2:] == [("enrol.promote", "member DM9103"), ("enrol.withdraw", "member DM9101")]
    withdrawal = Audit.get(Audit.action == "enrol.withdraw")
    assert withdrawal.reason == "搬家了" and json.loads(withdrawal.detail)["promoted"] == "DM9103"


def test_leaving_the_waitlist_promotes_nobody(world, actor, people, taiji):
    enrol_all(actor, taiji, people[:4])
    assert enrollments.withdraw(actor, people[2].member_no, taiji.id, "", NOW).promoted == ""
    assert [(r.member_no, r.position) for r in enrollments.roster(taiji.id)][2:] == [("DM9104", 1)]


def test_no_promotion_while_a_lowered_capacity_keeps_it_full(world, actor, people, taiji):
    enrol_all(actor, taiji, people[:3])
    taiji.capacity = 1
    taiji.save()
    assert enrollments.withdraw(actor, people[0].member_no, taiji.id, "", NOW).promoted == ""
    assert status(people[2], taiji) == "waitlisted"


def test_withdrawing_when_not_enrolled_is_refused(world, actor, people, taiji):
    e = refused(lambda: enrollments.withdraw(actor, people[0].member_no, taiji.id, "", NOW), "enrol.not_enrolled")
    assert e.message() == "学员1没有报名「太极拳（二）班」"
    enrollments.enrol(actor, people[0].member_no, taiji.id, NOW)
    enrollments.withdraw(actor, people[0].member_no, taiji.id, "", NOW)
    refused(lambda: enrollments.withdraw(actor, people[0].member_no, taiji.id, "", NOW), "enrol.not_enrolled")


def test_enrolling_again_after_withdrawing_goes_to_the_back(world, actor, people, taiji):
    enrol_all(actor, taiji, people[:4])
    first_row = Enrollment.get(Enrollment.member == people[0]).id
    enrollments.withdraw(actor, people[0].member_no, taiji.id, "", NOW + timedelta(hours=1))  # DM9103 moves up
    change = enrollments.enrol(actor, people[0].member_no, taiji.id, NOW + timedelta(hours=2))
    assert change == enrollments.Change("waitlisted", 2)
    row = Enrollment.get(Enrollment.member == people[0])
    assert (row.id, row.at) == (first_row, NOW + timedelta(hours=2))
    assert payloads("enrollment")[-1]["previous"] == "withdrawn"


def test_promote_fills_the_places_a_raised_capacity_made(world, actor, people, taiji):
    enrol_all(actor, taiji, people)
    assert enrollments.promote(taiji.id, NOW, actor) == []
    taiji.capacity = 4
    taiji.save()
    assert enrollments.promote(taiji.id, NOW, actor) == ["DM9103", "DM9104"]
    assert [(r.member_no, r.status, r.position) for r in enrollments.roster(taiji.id)][2:] == [
        ("DM9103", "enrolled", None),
        ("DM9104", "enrolled", None),
        ("DM9105", "waitlisted", 1),
    ]
    assert [a for a, _ in actions()][-2:] == ["enrol.promote", "enrol.promote"]


def test_member_courses_lists_the_members_courses_in_the_term(world, actor, people, taiji):
    calligraphy = world.course(
        "书法（一）班",
        capacity=1,
        room="二楼 201",
        teacher="孙老师",
        schedule='[{"weekday": 3, "start": "14:00", "end": "16:00"}]',
    )
    dropped = world.course("智能手机应用班")
    enrollments.enrol(actor, people[1].member_no, calligraphy.id, NOW)
    for course in (taiji, calligraphy, dropped):
        enrollments.enrol(actor, people[0].member_no, course.id, NOW + timedelta(minutes=1))
    enrollments.withdraw(actor, people[0].member_no, dropped.id, "", NOW)
    got = enrollments.member_courses(people[0].member_no, world.term.id)
    assert got == [
        enrollments.MemberCourse(
            calligraphy.id, "书法（一）班", "孙老师", "二楼 201", "周三 14:00-16:00", "waitlisted", 1
        ),
        enrollments.MemberCourse(taiji.id, "太极拳（二）班", "陈老师", "一楼 多功能厅", "", "enrolled", None),
    ]
    autumn = Term.create(site=world.site, name="2025年秋季学期", start=date(2025, 9, 1), end=date(2026, 1, 18))
    assert enrollments.member_courses(people[0].member_no, autumn.id) == []


# -- one transaction ------------------------------------------------------------------------------


def test_a_failing_audit_entry_leaves_no_enrolment(world, actor, people, taiji, monkeypatch):
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 2))  # the audit fact
    with pytest.raises(Boom):
        enrollments.enrol(actor, people[0].member_no, taiji.id, NOW)
    assert Enrollment.select().count() == 0 and Outbox.select().count() == 0 and Audit.select().count() == 0


def test_a_failing_promotion_undoes_the_withdrawal(world, actor, people, taiji, monkeypatch):
    enrol_all(actor, taiji, people[:3])
    before = snapshot()
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 2))  # the promoted senior's fact
    with pytest.raises(Boom):
        enrollments.withdraw(actor, people[0].member_no, taiji.id, "", NOW)
    assert snapshot() == before
    monkeypatch.undo()
    assert enrollments.withdraw(actor, people[0].member_no, taiji.id, "", NOW).promoted == "DM9103"


# -- races --------------------------------------------------------------------------------------


def test_two_staff_enrolling_into_the_last_place_never_overbook(world, actor, people, database):
    assert database.database.endswith("kiosk.db")  # a real file, shared by the threads
    for round_ in range(20):
        last = world.course(f"太极拳 {round_} 班", capacity=2)
        enrollments.enrol(actor, people[0].member_no, last.id, NOW)
        changes = race([lambda p=p: enrollments.enrol(actor, p.member_no, last.id, NOW) for p in people[1:3]])
        assert sorted(c.outcome for c in changes) == ["enrolled", "waitlisted"], round_
        taken = Enrollment.select().where(Enrollment.course == last, Enrollment.status == "enrolled")
        assert taken.count() == 2, round_


def test_a_withdrawal_racing_an_enrolment_for_the_place_it_frees(world, actor, people):
    for round_ in range(20):
        last = world.course(f"书法 {round_} 班", capacity=1)
        enrol_all(actor, last, people[:2])  # DM9102 waits
        later = NOW + timedelta(hours=1)
        race(
            [
                lambda: enrollments.withdraw(actor, people[0].member_no, last.id, "", later),
                lambda: enrollments.enrol(actor, people[2].member_no, last.id, later),
            ]
        )
        assert [status(p, last) for p in people[:3]] == ["withdrawn", "enrolled", "waitlisted"], round_


def test_a_member_or_course_gone_since_the_page_showed_it_is_refused_with_a_reason(actor, people, taiji):
    refused(lambda: enrollments.enrol(actor, "XX9999", taiji.id, NOW), "enrol.no_member")
    refused(lambda: enrollments.enrol(actor, people[0].member_no, 999, NOW), "enrol.no_course")
    refused(lambda: enrollments.withdraw(actor, people[0].member_no, 999, "", NOW), "enrol.no_course")
