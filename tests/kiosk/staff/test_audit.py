"""The audit trail: one row and one outbox fact per change, read back newest first."""

import json
from datetime import datetime, timedelta

from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.store.db import write
from kiosk.store.models import Audit, Outbox, Staff

NOW = datetime(2025, 3, 18, 9, 30)


def test_an_entry_is_a_row_and_a_fact_naming_the_staff_member(world, settings):
    staff = Staff.create(name="张老师", role="admin", pin_hash="x", site=world.site)
    with write():
        event_id = audit.record(Actor.of(staff, settings), "card.reissue", "member DM0001", NOW, "遗失", issue=2)
    entry = Audit.get()
    assert (entry.event_id, entry.staff_id, entry.staff_name, entry.action, entry.target, entry.reason) == (
        event_id,
        staff.id,
        "张老师",
        "card.reissue",
        "member DM0001",
        "遗失",
    )
    assert json.loads(entry.detail) == {"issue": 2}
    fact = Outbox.get(Outbox.kind == "audit")
    assert fact.event_id == event_id
    assert json.loads(fact.payload) == {
        "action": "card.reissue",
        "target": "member DM0001",
        "reason": "遗失",
        "detail": {"issue": 2},
        "at": NOW.isoformat(),
        "kiosk_id": settings.kiosk.id,
        "site": settings.site.code,
        "staff": "张老师",
        "staff_id": staff.id,
    }


def test_recent_pages_newest_first_and_count(database, settings):
    cli = Actor.of(None, settings)
    with write():
        for n in range(5):
            audit.record(cli, "export", f"report {n}", NOW + timedelta(minutes=n % 3))
    assert audit.count() == 5
    assert [e.target for e in audit.recent(3)] == ["report 2", "report 4", "report 1"]
    assert [e.target for e in audit.recent(3, 3)] == ["report 3", "report 0"]
    assert {e.staff_name for e in audit.recent()} == {"命令行"}


# -- issue 19: rows that say who and what ------------------------------------------------------


def test_member_rows_name_the_member_and_say_the_course_and_the_amount(world, settings):
    from kiosk.points import ledger
    from kiosk.programme import enrollments

    staff = Staff.create(name="张老师", role="admin", pin_hash="x", site=world.site)
    actor = Actor.of(staff, settings)
    member = world.member("DM0146", "谢素珍")
    world.entry(member, 38, "lesson", NOW - timedelta(days=3))
    course = world.course("书法（一）班", capacity=1, schedule='[{"weekday": 2, "start": "09:00", "end": "11:00"}]')
    world.enroll(world.member("DM0001", "王建华"), course)
    enrollments.enrol(actor, "DM0146", course.id, NOW)
    ledger.redeem(actor, "DM0146", 30, "电饭煲", NOW + timedelta(minutes=1))
    enrollments.withdraw(actor, "DM0146", course.id, "身体不适", NOW + timedelta(minutes=2))
    rows = [(e.action_text, e.object_text, e.detail_text) for e in audit.recent()]
    assert rows == [
        ("退课", "学员 谢素珍 DM0146", "「书法（一）班」；身体不适"),
        ("积分兑换", "学员 谢素珍 DM0146", "兑换 30 分：电饭煲（原有 38 分）"),
        ("选课", "学员 谢素珍 DM0146", "「书法（一）班」，候补第 1 位"),
    ]
    # the name as it was then, kept with the row (and in its fact)
    assert json.loads(Audit.select().order_by(Audit.id).first().detail)["name"] == "谢素珍"


def test_older_rows_read_without_their_particulars(world, settings):
    """Rows written before names and particulars were kept: the member named as now, the reason alone."""
    world.member("DM0146", "谢素珍")
    for target in ("member DM0146", "member DM9999"):
        Audit.create(
            event_id=f"e-{target}",
            at=NOW,
            staff_name="张老师",
            action="points.redeem",
            target=target,
            reason="毛巾",
            detail="{}",
        )
    Audit.create(event_id="e-l", at=NOW, staff_name="张老师", action="lesson.cancel", target="lesson 7", detail="{}")
    assert [(e.object_text, e.detail_text) for e in audit.recent()] == [
        ("课次 7", ""),
        ("学员 DM9999", "毛巾"),
        ("学员 谢素珍 DM0146", "毛巾"),
    ]


def test_every_audited_action_has_a_name_on_the_page():
    """Each action the code records (kiosk/**: audit.record(actor, "…")) is named in Chinese."""
    import re
    from pathlib import Path

    from kiosk.i18n import t

    root = Path(__file__).resolve().parents[3] / "kiosk"
    recorded = {
        m.group(1)
        for path in root.rglob("*.py")
        for m in re.finditer(r'audit\.record\(\s*actor,\s*"([^"]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(recorded) > 20
    assert [a for a in sorted(recorded) if t(f"staff.audit.action.{a}") == f"staff.audit.action.{a}"] == []


def test_each_kind_of_change_says_its_particulars(world, settings):
    """A row of each kind the terms and courses pages make says what changed."""
    from datetime import date

    from kiosk.programme import terms
    from kiosk.programme.schedule import parse_slots

    staff = Staff.create(name="李主任", role="admin", pin_hash="x", site=world.site)
    actor = Actor.of(staff, settings)
    before = datetime(2025, 2, 20, 10)
    course = terms.create_course(
        actor, world.term.id, "太极拳班", parse_slots("周一 09:00-11:00"), before, room="三楼 301"
    )
    terms.edit_course(actor, course.id, before, capacity=30)
    terms.add_holiday(actor, world.term.id, date(2025, 5, 5), "劳动节", before)
    lesson = terms.lessons(course.id)[1]
    terms.move_lesson(actor, lesson.id, datetime(2025, 3, 4, 9), datetime(2025, 3, 4, 11), before, "教师请假")
    assert [(e.action_text, e.object_text, e.detail_text) for e in audit.recent()] == [
        ("调课", "课次 太极拳班 3月3日 09:00", "改到 3月4日 09:00；教师请假"),
        ("添加节假日", "学期 2025年春季学期", "5月5日 劳动节，停课 1 次"),
        ("修改课程", "课程 太极拳班", "人数上限 0 → 30"),
        ("新建课程", "课程 太极拳班", "周一 09:00-11:00，生成 18 次课"),
    ]
