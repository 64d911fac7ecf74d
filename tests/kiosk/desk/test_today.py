"""The staff's Today page: counts per lesson and activity, who is missing or present, and the
sign-in staff make by hand (补签) with its refusals."""

import json
from datetime import timedelta

import pytest

from kiosk.desk import today
from kiosk.programme.schedule import Item, lesson_item
from kiosk.staff import access
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.models import Audit, Outbox, PointsEntry, SignIn
from tests.kiosk.builders import LESSON_START

DAY = LESSON_START.replace(hour=0)  # Monday 2025-03-10
NOW = DAY.replace(hour=11, minute=30)  # after the morning lessons' sign-in window


@pytest.fixture
def day(world):
    """Two lessons, a cancelled one and tomorrow's, an activity with registrations, an open walk;
    members enrolled, waitlisted, withdrawn, inactive; a few sign-ins."""
    w = world
    m = {
        key: w.member(no, name, phone_last4=phone, initials=initials, **extra)
        for key, no, name, phone, initials, extra in [
            ("wang", "DM0001", "王建华", "1234", "wjh", {}),
            ("li", "DM0002", "李秀英", "5678", "lxy", {}),
            ("zhao", "DM0003", "赵国强", "", "zgq", {}),
            ("gone", "DM0004", "钱玉兰", "9999", "qyl", {"active": False}),
            ("sun", "DM0005", "孙明", "4321", "sm", {}),
        ]
    }
    taiji, shufa, choir = w.course("太极拳（一）班"), w.course("书法班", room="二楼 书画室"), w.course("合唱班")
    items = {
        "taiji": w.lesson(taiji, DAY.replace(hour=9)),
        "shufa": w.lesson(shufa, DAY.replace(hour=14), room="三楼 301"),
        "choir": w.lesson(choir, DAY.replace(hour=10), cancelled=True, note="老师生病"),
        "tomorrow": w.lesson(taiji, DAY.replace(hour=9) + timedelta(days=1)),
        "yesterday": w.lesson(shufa, DAY.replace(hour=14) - timedelta(days=1)),
        "report": w.activity("形势报告会", DAY.replace(hour=15), place="五楼 报告厅", capacity=30),
        "walk": w.activity("健步行", DAY.replace(hour=7), place="公园东门", open=True),
        "party": w.activity("主题党日", DAY.replace(hour=16), kind="party_day", open=True),
    }
    for key in ("wang", "li", "zhao", "gone"):
        w.enroll(m[key], taiji)
    w.enroll(m["sun"], taiji, status="withdrawn")
    w.enroll(m["wang"], shufa)
    w.enroll(m["li"], shufa, status="waitlisted")
    w.enroll(m["li"], choir)
    w.register(m["wang"], items["report"])
    w.register(m["zhao"], items["report"])
    w.register(m["li"], items["report"], status="waitlisted")
    w.register(m["sun"], items["report"], status="cancelled")
    w.register(m["sun"], items["party"])
    w.sign_in(m["wang"], DAY.replace(hour=8, minute=50), lesson=items["taiji"])
    w.sign_in(m["zhao"], DAY.replace(hour=8, minute=40), lesson=items["taiji"])
    w.sign_in(m["sun"], DAY.replace(hour=8, minute=55), lesson=items["taiji"])  # withdrawn, came anyway
    w.sign_in(m["li"], DAY.replace(hour=7, minute=5), activity=items["walk"])
    w.sign_in(m["wang"], DAY.replace(hour=7, minute=2), activity=items["walk"])
    w.sign_in(m["li"], DAY.replace(hour=14) - timedelta(days=1), lesson=items["yesterday"])
    return m, items


@pytest.fixture
def staff(world, settings) -> Actor:
    cli = Actor.of(None, settings)
    access.add_staff(cli, "李主任", "739154", "admin", world.site.code, NOW)  # a site's first is an admin
    clerk = access.add_staff(cli, "张三", "602817", "staff", world.site.code, NOW)
    return Actor.of(clerk, settings)


def item_of(day_items, title) -> today.DayItem:
    return next(d for d in day_items if d.item.title == title)


def counts() -> dict:
    return {
        "signin": SignIn.select().count(),
        "points": PointsEntry.select().count(),
        "audit": Audit.select().count(),
        "outbox": Outbox.select().count(),
    }


def facts(kind: str) -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


# -- the day ----------------------------------------------------------------------------------------


def test_day_lists_every_item_of_the_date_with_counts(day):
    items = today.day(NOW)
    assert [(d.item.kind, d.item.title, d.cancelled, d.expected, d.signed) for d in items] == [
        ("activity", "健步行", False, None, 2),  # open, nobody registered
        ("lesson", "太极拳（一）班", False, 3, 3),  # wang, li, zhao enrolled (钱 inactive); sun withdrawn but came
        ("lesson", "合唱班", True, 1, 0),
        ("lesson", "书法班", False, 1, 0),  # li only waitlisted
        ("activity", "形势报告会", False, 2, 0),
        ("activity", "主题党日", False, 1, 0),  # open, but someone registered
    ]
    shufa = item_of(items, "书法班").item
    assert shufa == Item("lesson", day[1]["shufa"].id, "书法班", "三楼 301", DAY.replace(hour=14), DAY.replace(hour=16))
    assert item_of(items, "太极拳（一）班").item.place == "一楼 多功能厅"


def test_day_at_any_time_of_the_date(day):
    assert today.day(DAY) == today.day(DAY.replace(hour=23, minute=59))
    assert [d.item.title for d in today.day(DAY + timedelta(days=1))] == ["太极拳（一）班"]
    assert today.day(DAY + timedelta(days=2)) == []


def test_day_takes_two_queries_however_many_items(day, world, database):
    course = world.course("英语班")
    for hour in range(8, 20):
        world.lesson(course, DAY.replace(hour=hour), minutes=30)
    statements = []
    database.connection().set_trace_callback(statements.append)
    try:
        assert len(today.day(NOW)) == 18
    finally:
        database.connection().set_trace_callback(None)
    assert len(statements) == 2


def test_missing_are_the_expected_not_signed_in(day):
    m, items = day
    assert today.missing(lesson_item(items["taiji"])) == [today.Person("DM0002", "李秀英", "5678")]
    assert [p.member_no for p in today.missing(lesson_item(items["shufa"]))] == ["DM0001"]
    report = [d.item for d in today.day(NOW) if d.item.title == "形势报告会"][0]
    assert today.missing(report) == [today.Person("DM0001", "王建华", "1234"), today.Person("DM0003", "赵国强", "")]
    walk = item_of(today.day(NOW), "健步行").item
    assert today.missing(walk) == []


def test_missing_is_sorted_by_full_pinyin_not_initials(day, world):
    m, items = day
    # By initials these would read 白翠花 (bch), 蔡翠花 (cch), 程福生 (cfs), 蔡桂兰 (cgl), 白守信 (bsx).
    for no, name in (("DM0010", "程福生"), ("DM0011", "蔡桂兰"), ("DM0012", "白守信"), ("DM0013", "蔡翠花")):
        world.enroll(world.member(no, name), items["shufa"].course)
    world.enroll(world.member("DM0014", "白翠花"), items["shufa"].course)
    names = [p.name for p in today.missing(lesson_item(items["shufa"]))]
    assert names == ["白翠花", "白守信", "蔡翠花", "蔡桂兰", "程福生", "王建华"]


def test_each_lesson_has_its_own_missing_list(day, world):
    m, items = day
    world.enroll(world.member("DM0015", "艾青"), items["shufa"].course)
    assert [p.name for p in today.missing(lesson_item(items["shufa"]))] == ["艾青", "王建华"]
    assert "艾青" not in [p.name for p in today.missing(lesson_item(items["taiji"]))]


def test_present_in_the_order_they_came(day):
    m, items = day
    assert today.present(lesson_item(items["taiji"])) == [
        today.Present("DM0003", "赵国强", "", DAY.replace(hour=8, minute=40), "qr"),
        today.Present("DM0001", "王建华", "1234", DAY.replace(hour=8, minute=50), "qr"),
        today.Present("DM0005", "孙明", "4321", DAY.replace(hour=8, minute=55), "qr"),
    ]
    walk = item_of(today.day(NOW), "健步行").item
    assert [p.member_no for p in today.present(walk)] == ["DM0001", "DM0002"]
    assert today.present(lesson_item(items["shufa"])) == []


# -- signing in by hand ----------------------------------------------------------------------------


def test_manual_sign_in_after_the_window(day, staff):
    m, items = day
    before = counts()
    done = today.manual_sign_in(staff, m["li"].member_no, lesson_item(items["taiji"]), "forgot_card", NOW)
    assert done == today.ManualSignIn(points=2, at=NOW)
    row = SignIn.get(SignIn.member == m["li"], SignIn.lesson == items["taiji"])
    assert (row.method, row.staff_id, row.reason, row.at, row.kiosk_id) == (
        "staff",
        staff.staff_id,
        "忘带卡",
        NOW,
        staff.kiosk_id,
    )
    entry = PointsEntry.get(PointsEntry.signin == row)
    assert (entry.amount, entry.kind, entry.member_id) == (2, "lesson", m["li"].id)
    assert counts() == {
        "signin": before["signin"] + 1,
        "points": before["points"] + 1,
        "audit": before["audit"] + 1,
        "outbox": before["outbox"] + 3,
    }
    kinds = [o.kind for o in Outbox.select().order_by(Outbox.seq.desc()).limit(3)]
    assert sorted(kinds) == ["audit", "points", "signin"]
    signin = facts("signin")[-1]
    assert (signin["member_no"], signin["method"], signin["staff"], signin["reason"]) == (
        "DM0002",
        "staff",
        staff.staff_id,
        "忘带卡",
    )
    assert facts("points")[-1]["signin"] == row.event_id
    audit = facts("audit")[-1]
    assert (audit["action"], audit["target"], audit["reason"], audit["staff"]) == (
        "signin.manual",
        "member DM0002",
        "忘带卡",
        "张三",
    )
    assert audit["detail"]["item_id"] == items["taiji"].id and audit["detail"]["points"] == 2
    entry = Audit.select().order_by(Audit.id.desc()).first()
    assert (entry.action, entry.staff_id) == ("signin.manual", staff.staff_id)
    assert today.missing(lesson_item(items["taiji"])) == []
    assert item_of(today.day(NOW), "太极拳（一）班").signed == 4


def test_manual_sign_in_to_activities(day, staff, settings):
    m, items = day
    report = item_of(today.day(NOW), "形势报告会").item
    walk = item_of(today.day(NOW), "健步行").item
    assert today.manual_sign_in(staff, m["zhao"].member_no, report, "card_damaged", NOW).points == 5
    assert today.manual_sign_in(staff, m["zhao"].member_no, walk, "reader_fault", NOW).points == 5
    cli = Actor.of(None, settings)  # from the command line: no staff id
    done = today.manual_sign_in(cli, m["sun"].member_no, item_of(today.day(NOW), "主题党日").item, "other", NOW)
    assert done.points == 5
    row = SignIn.get(SignIn.member == m["sun"], SignIn.activity == items["party"])
    assert (row.staff_id, row.reason) == (None, "其他")
    assert Audit.select().order_by(Audit.id.desc()).first().staff_name == "命令行"


def refused(key, *args) -> Refused:
    before = counts()
    with pytest.raises(Refused) as e:
        today.manual_sign_in(*args)
    assert e.value.key == key
    assert e.value.message() != key
    assert counts() == before
    return e.value


def test_manual_sign_in_refusals_change_nothing(day, staff):
    m, items = day
    taiji, shufa = lesson_item(items["taiji"]), lesson_item(items["shufa"])
    report = item_of(today.day(NOW), "形势报告会").item
    refused("today.bad_reason", staff, m["li"].member_no, taiji, "felt_like_it", NOW)
    refused("today.not_enrolled", staff, m["li"].member_no, shufa, "forgot_card", NOW)  # only waitlisted
    refused("today.not_enrolled", staff, m["sun"].member_no, shufa, "forgot_card", NOW)  # never enrolled
    refused("today.not_registered", staff, m["li"].member_no, report, "forgot_card", NOW)  # waitlisted
    refused("today.not_registered", staff, m["sun"].member_no, report, "forgot_card", NOW)  # cancelled
    refused("today.cancelled", staff, m["li"].member_no, lesson_item(items["choir"]), "forgot_card", NOW)
    refused("today.not_today", staff, m["wang"].member_no, lesson_item(items["tomorrow"]), "forgot_card", NOW)
    refused("today.not_today", staff, m["li"].member_no, lesson_item(items["yesterday"]), "forgot_card", NOW)
    refused("today.no_member", staff, m["gone"].member_no, taiji, "forgot_card", NOW)
    e = refused("today.already", staff, m["wang"].member_no, taiji, "forgot_card", NOW)
    assert e.values == {"time": "08:50"} and "08:50" in e.message()


def test_a_second_manual_sign_in_is_refused_with_the_first_time(day, staff):
    m, items = day
    taiji = lesson_item(items["taiji"])
    today.manual_sign_in(staff, m["li"].member_no, taiji, "forgot_card", NOW)
    e = refused("today.already", staff, m["li"].member_no, taiji, "other", NOW + timedelta(minutes=5))
    assert e.values == {"time": "11:30"}


def test_an_item_cancelled_after_the_page_was_drawn_is_refused(day, staff):
    m, items = day
    shown = item_of(today.day(NOW), "书法班").item
    items["shufa"].cancelled = True
    items["shufa"].save()
    refused("today.cancelled", staff, m["wang"].member_no, shown, "forgot_card", NOW)


def test_an_item_that_no_longer_exists_is_refused(day, staff):
    m, items = day
    gone = Item("activity", 9999, "不存在的活动", "", NOW, NOW)
    refused("today.not_today", staff, m["wang"].member_no, gone, "forgot_card", NOW)


@pytest.mark.parametrize("reason", today.REASONS)
def test_every_reason_has_a_label(reason):
    from kiosk.i18n import t

    assert t(f"today.reason.{reason}") != f"today.reason.{reason}"
