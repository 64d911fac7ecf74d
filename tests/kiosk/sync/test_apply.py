"""Applying pulled items to the kiosk's tables, stream by stream, with pages built here in the
shape the bureau sends (common spec: {rev, id, op, data, crc}): idempotent, older revs ignored,
merged members, and balances that add up after the bureau reversed a double award."""

import json
import zlib
from datetime import date, datetime, timedelta

import pytest

from kiosk import config
from kiosk.identity import ids
from kiosk.points import awards, passbook
from kiosk.store.db import write
from kiosk.store.models import (
    Activity,
    BureauSetting,
    Course,
    Enrollment,
    Lesson,
    Member,
    PointsEntry,
    PointsRule,
    Pulled,
    Registration,
    SignIn,
    Site,
    Term,
)
from kiosk.sync import apply
from kiosk.sync.apply import Here
from tests.kiosk.builders import ID_WANG, LESSON_START
from tests.kiosk.conftest import write_site_file

NOW = datetime(2025, 3, 1, 12, 0)
HASH = "Xq3tFx0a9bV2-LrR0hK8yA1sT4uW5vC6dE7fG8hI9jK"  # an id_hash as contract.idhash makes them


@pytest.fixture
def here(settings, database) -> Here:
    return Here(settings.site.code, settings.kiosk.id, NOW)


def put(rev: int, entity: str, data: dict) -> dict:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {"rev": rev, "id": entity, "op": "put", "data": data, "crc": zlib.crc32(f"{entity}\n{text}".encode())}


def delete(rev: int, entity: str) -> dict:
    return {"rev": rev, "id": entity, "op": "delete", "data": None, "crc": zlib.crc32(f"{entity}\nnull".encode())}


def pull(here: Here, stream: str, *items: dict) -> list[bool]:
    with write():
        return [apply.item(stream, x, here) for x in items]


def member_data(no: str, name: str = "李秀英", **fields) -> dict:
    return {
        "member_no": no,
        "name": name,
        "gender": "女",
        "id_hash": None,
        "phone_last4": "1234",
        "site": "OTHER-002",
        "joined": "2024-09-01",
        "active": True,
        "merged_into": None,
        "balance": 0,
        **fields,
    }


# -- sites and members ------------------------------------------------------------------------------


def test_sites_upsert_by_code_and_an_older_rev_or_the_same_again_changes_nothing(here):
    assert pull(here, "sites", put(3, "OTHER-002", {"code": "OTHER-002", "name": "第二中心"})) == [True]
    assert pull(
        here,
        "sites",
        put(2, "OTHER-002", {"code": "OTHER-002", "name": "旧名"}),
        put(3, "OTHER-002", {"code": "OTHER-002", "name": "旧名"}),
    ) == [False, False]
    assert Site.get(Site.code == "OTHER-002").name == "第二中心"
    pull(here, "sites", put(7, "OTHER-002", {"code": "OTHER-002", "name": "第二活动中心"}))
    assert Site.get(Site.code == "OTHER-002").name == "第二活动中心"
    assert Pulled.get(Pulled.entity_id == "OTHER-002").rev == 7


def test_a_member_is_upserted_with_its_site_initials_and_balance_and_a_delete_keeps_only_its_card(here, world):
    pull(here, "members", put(1, "XY0001", member_data("XY0001", balance=42, id_hash=HASH)))
    m = Member.get(Member.member_no == "XY0001")
    assert (m.name, m.initials, m.gender, m.phone_last4, m.joined, m.active, m.points_confirmed) == (
        "李秀英",
        "lxy",
        "女",
        "1234",
        date(2024, 9, 1),
        True,
        42,
    )
    assert (m.site.code, m.site.name, m.id_hash, m.merged_into) == ("OTHER-002", "OTHER-002", HASH, None)
    lesson = world.lesson(world.course("书法班"), LESSON_START)
    world.sign_in(m, LESSON_START, lesson=lesson)
    pull(here, "members", put(2, "XY0001", member_data("XY0001", name="李秀珍", balance=40)))
    m = Member.get_by_id(m.id)
    assert (m.name, m.initials, m.points_confirmed, m.id_hash) == ("李秀珍", "lxz", 40, None)
    pull(here, "members", put(3, "XY0001", member_data("XY0001", id_hash=HASH)))
    pull(here, "members", delete(4, "XY0001"))  # no longer this site's member
    m = Member.get_by_id(m.id)
    assert (m.name, m.initials, m.gender, m.phone_last4, m.joined) == ("", "", "", "", None)
    assert (m.id_hash, m.active, m.signins.count()) == (HASH, True, 1)
    assert pull(here, "members", put(2, "XY0001", member_data("XY0001"))) == [False]  # late, older
    assert Member.get_by_id(m.id).name == ""


def test_a_card_makes_a_nameless_member_of_another_site_and_its_delete_deactivates(here):
    card = {"member_no": "XY0005", "id_hash": HASH, "site": "OTHER-002", "active": True, "merged_into": None}
    assert pull(here, "cards", put(1, "XY0005", card)) == [True]
    m = Member.get(Member.member_no == "XY0005")
    assert (m.name, m.phone_last4, m.gender, m.id_hash, m.site.code, m.active) == ("", "", "", HASH, "OTHER-002", True)
    pull(here, "cards", delete(2, "XY0005"))
    assert not Member.get_by_id(m.id).active


def test_a_card_reissued_anywhere_revokes_the_older_cards_here_and_is_never_lowered(here, world, checkin):
    pull(here, "members", put(1, "XY0001", member_data("XY0001")))  # a bureau before card_issue
    wang = Member.get(Member.member_no == "XY0001")
    first = world.qr(wang)
    assert wang.card_issue == 1
    pull(here, "members", put(2, "XY0001", member_data("XY0001", card_issue=3)))  # reissued twice elsewhere
    wang = Member.get_by_id(wang.id)
    assert wang.card_issue == 3
    assert checkin.handle(first, LESSON_START).detail == "card.revoked"
    assert checkin.handle(world.qr(wang), LESSON_START).kind == "not_due"  # known by its new card
    # Reissued here since (the bureau has not applied that yet): the bureau's older issue stays below it.
    Member.update(card_issue=4).where(Member.id == wang.id).execute()
    pull(here, "members", put(3, "XY0001", member_data("XY0001", card_issue=3)))
    assert Member.get_by_id(wang.id).card_issue == 4


def test_a_value_this_kiosk_cannot_use_is_skipped_and_not_recorded(here):
    assert pull(
        here,
        "members",
        put(1, "XY0002", {"member_no": "XY0002"}),  # no name, no site
        put(2, "XY0003", member_data("XY0003")),
    ) == [False, True]
    assert [p.entity_id for p in Pulled.select()] == ["XY0003"]
    assert not Member.select().where(Member.member_no == "XY0002").exists()


# -- merged members -----------------------------------------------------------------------------


@pytest.fixture
def twice_registered(world, settings):
    """王建华 registered here as DM0001 (sign-ins, points, an enrollment, a registration) while the
    bureau already had him as XY0001 from another site; XY0001 has one sign-in here as well."""
    key = bytes.fromhex(settings.security.id_hash_key)
    here_no = world.member("DM0001", "王建华", ID_WANG)
    course, other_course = world.course("太极拳（一）班"), world.course("书法班", room="二楼")
    first = world.lesson(course, LESSON_START)
    second = world.lesson(course, LESSON_START + timedelta(days=7))
    walk = world.activity("健步走", LESSON_START + timedelta(days=1))
    for lesson in (first, second):
        world.sign_in(here_no, lesson.start, lesson=lesson)
    world.enroll(here_no, course)
    world.enroll(here_no, other_course)
    world.register(here_no, walk)
    world.entry(here_no, 3, "lesson", LESSON_START)
    return here_no, ids.id_hash(ID_WANG, key), first, course


def canonical_arrives(world, here, id_hash, first, course):
    """XY0001, signed in to `first` and enrolled here while the bureau had not yet sent its ID
    card's hash; then the bureau's next version of it, with the hash DM0001 has."""
    pull(here, "members", put(1, "XY0001", member_data("XY0001", name="王建华", balance=20)))
    xy = Member.get(Member.member_no == "XY0001")
    world.sign_in(xy, first.start, lesson=first)
    world.enroll(xy, course)
    pull(here, "members", put(2, "XY0001", member_data("XY0001", name="王建华", id_hash=id_hash, balance=20)))
    return xy


def test_a_second_registration_merges_into_the_first_and_its_card_still_finds_the_senior(
    here, world, twice_registered, checkin
):
    dm, id_hash, first, course = twice_registered
    xy = canonical_arrives(world, here, id_hash, first, course)
    # The first registration takes the ID card: DM0001 gives up its id_hash (unique here) and its
    # rows, except those XY0001 has already (a unique index): those stay on DM0001.
    dm = Member.get_by_id(dm.id)
    assert (dm.id_hash, dm.active, dm.merged_into) == (None, False, "XY0001")
    assert Member.get_by_id(xy.id).id_hash == id_hash
    moved = {
        "signins": {(s.member.member_no, s.lesson_id) for s in SignIn.select()},
        "enrollments": {(e.member.member_no, e.course.name) for e in Enrollment.select()},
        "registrations": [r.member.member_no for r in Registration.select()],
        "points": [p.member.member_no for p in PointsEntry.select()],
    }
    assert moved == {
        "signins": {("XY0001", first.id), ("DM0001", first.id), ("XY0001", first.id + 1)},
        "enrollments": {("XY0001", "太极拳（一）班"), ("DM0001", "太极拳（一）班"), ("XY0001", "书法班")},
        "registrations": ["XY0001"],
        "points": ["XY0001"],
    }
    assert passbook.balance(Member.get_by_id(xy.id)) == 20 + 3
    # The bureau's own word on DM0001 comes later and changes nothing more.
    pull(
        here,
        "members",
        put(3, "DM0001", member_data("DM0001", name="王建华", id_hash=id_hash, merged_into="XY0001", site=here.site)),
    )
    assert Member.get_by_id(dm.id).merged_into == "XY0001" and SignIn.select().where(SignIn.member == dm).count() == 1
    assert checkin.identify(world.qr(dm), NOW).member_no == "XY0001"
    assert checkin.identify(world.idcard(ID_WANG), NOW).member_no == "XY0001"


def test_an_alias_that_arrives_before_its_canonical_member_is_re_pointed_when_that_comes(here, world, twice_registered):
    dm, id_hash, first, course = twice_registered
    pull(
        here,
        "members",
        put(1, "DM0001", member_data("DM0001", name="王建华", id_hash=id_hash, merged_into="XY0001", site=here.site)),
    )
    dm = Member.get_by_id(dm.id)
    assert (dm.id_hash, dm.active, dm.merged_into, dm.signins.count()) == (None, False, "XY0001", 2)
    pull(here, "members", put(2, "XY0001", member_data("XY0001", name="王建华", id_hash=id_hash)))
    xy = Member.get(Member.member_no == "XY0001")
    assert (xy.id_hash, xy.signins.count(), xy.enrollments.count(), dm.signins.count()) == (id_hash, 2, 2, 0)


# -- balances -------------------------------------------------------------------------------------


def entry(entry_id: str, member_no: str, amount: int, balance: int, kind: str = "lesson", **fields) -> dict:
    return {
        "entry_id": entry_id,
        "member_no": member_no,
        "amount": amount,
        "kind": kind,
        "rule": "lesson v1",
        "site": "OTHER-002",
        "at": "2025-03-10T09:05:00",
        "reverses": None,
        "note": "",
        "balance": balance,
        **fields,
    }


def test_balances_confirm_this_kiosks_entries_add_the_others_and_take_back_a_double_award(here, world):
    wang = world.member("DM9001", "王建华", ID_WANG, points_confirmed=10)
    mine = world.entry(wang, 2, "lesson", LESSON_START)  # awarded here ...
    twice = world.entry(wang, 2, "lesson", LESSON_START + timedelta(minutes=5))  # ... and twice here
    unseen = world.entry(wang, 5, "volunteer", LESSON_START + timedelta(hours=3))  # not pushed yet
    assert passbook.balance(wang) == 10 + 9
    items = [
        put(11, mine.event_id, entry(mine.event_id, "DM9001", 2, 12)),
        put(12, "E-OTHER", entry("E-OTHER", "DM9001", 4, 16, kind="activity", note="重阳游园")),
        put(13, twice.event_id, entry(twice.event_id, "DM9001", 2, 18)),
        put(
            14,
            "R-1",
            entry("R-1", "DM9001", -2, 16, kind="reversal", reverses=twice.event_id, note="double award", site=None),
        ),
    ]
    assert pull(here, "balances", *items) == [True] * 4
    wang = Member.get_by_id(wang.id)
    assert wang.points_confirmed == 16
    statuses = {p.event_id: p.status for p in PointsEntry.select()}
    assert statuses == {
        mine.event_id: "confirmed",
        twice.event_id: "confirmed",
        "E-OTHER": "confirmed",
        "R-1": "confirmed",
        unseen.event_id: "provisional",
    }
    reversal = PointsEntry.get(PointsEntry.event_id == "R-1")
    assert (reversal.amount, reversal.kind, reversal.reverses_id, reversal.note) == (
        -2,
        "reversal",
        twice.id,
        "double award",
    )
    # The bureau's balance plus what this kiosk has not sent yet.
    assert passbook.balance(wang) == 16 + 5
    assert pull(here, "balances", *items) == [False] * 4  # the same page again
    assert PointsEntry.select().count() == 5 and passbook.balance(Member.get_by_id(wang.id)) == 21


def test_a_balance_entry_of_a_member_not_here_is_not_recorded(here):
    assert pull(here, "balances", put(1, "E-1", entry("E-1", "NOPE01", 2, 2))) == [False]
    assert Pulled.select().count() == 0 and PointsEntry.select().count() == 0


# -- rules ----------------------------------------------------------------------------------------


def test_rules_are_upserted_by_category_a_bad_one_is_skipped_and_a_delete_brings_the_default_back(here):
    rule = {"category": "lesson", "points": 3, "per": "attendance", "daily_cap": 6, "once_per_item": True, "version": 4}
    assert pull(
        here,
        "rules",
        put(5, "lesson", rule),
        put(6, "party", {**rule, "category": "party", "per": "day"}),
        put(7, "activity", {**rule, "category": "activity", "version": -1}),
    ) == [True, False, False]
    assert awards.rule("lesson") == awards.Rule("lesson", 3, "attendance", 6, True, 4, "bureau")
    assert awards.rule("party").source == awards.rule("activity").source == "default"  # the bad ones: not taken
    pull(here, "rules", delete(8, "lesson"))
    assert awards.rule("lesson") == awards.Rule("lesson", 2, "attendance", 10, True, 0, "default")
    assert PointsRule.select().count() == 0


# -- items ----------------------------------------------------------------------------------------


def activity(title: str = "重阳节游园", **fields) -> dict:
    return {
        "kind": "activity",
        "key": "a1",
        "title": title,
        "category": "walk",
        "place": "湖滨公园",
        "start": "2025-03-20T09:00:00",
        "end": "2025-03-20T11:30:00",
        "capacity": 50,
        "open": True,
        "points": 5,
        **fields,
    }


def test_an_activity_is_upserted_by_its_bureau_key_for_this_site_and_a_delete_cancels_it(here, world):
    pull(here, "items", put(1, "activity:a1", activity()))
    a = Activity.get(Activity.bureau_key == "activity:a1")
    assert (a.site.code, a.title, a.kind, a.place, a.start, a.end, a.capacity, a.open, a.points, a.cancelled) == (
        here.site,
        "重阳节游园",
        "walk",
        "湖滨公园",
        datetime(2025, 3, 20, 9),
        datetime(2025, 3, 20, 11, 30),
        50,
        True,
        5,
        False,
    )
    pull(here, "items", put(2, "activity:a1", activity("重阳节登高", points=None)))
    pull(here, "items", delete(3, "activity:a1"))
    a = Activity.get_by_id(a.id)
    assert (a.title, a.points, a.cancelled, Activity.select().count()) == ("重阳节登高", None, True, 1)


def course(**fields) -> dict:
    return {
        "kind": "course",
        "key": "c1",
        "title": "太极拳（三）班",
        "category": "太极",
        "teacher": "张老师",
        "room": "一楼",
        "capacity": 30,
        "term": {"name": "2025年春季学期", "start": "2025-02-24", "end": "2025-03-23"},
        "schedule": [{"weekday": 1, "start": "09:00", "end": "11:00"}],
        **fields,
    }


def starts(c: Course) -> list[datetime]:
    return [x.start for x in c.lessons.order_by(Lesson.start)]


def test_a_course_gets_its_term_and_future_lessons_and_a_change_moves_only_future_unsigned_ones(here, world):
    pull(here, "items", put(1, "course:c1", course()))
    c = Course.get(Course.bureau_key == "course:c1")
    assert (c.name, c.category, c.teacher, c.room, c.capacity, c.term_id) == (
        "太极拳（三）班",
        "太极",
        "张老师",
        "一楼",
        30,
        world.term.id,
    )  # the site's term of that name
    mondays = [datetime(2025, 3, d, 9) for d in (3, 10, 17)]  # after NOW (1 March) only
    assert starts(c) == mondays
    signed = Lesson.get(Lesson.course == c, Lesson.start == mondays[1])
    world.sign_in(world.member("DM0001"), signed.start, lesson=signed)
    later = Here(here.site, here.kiosk_id, datetime(2025, 3, 5))
    pull(later, "items", put(2, "course:c1", course(schedule=[{"weekday": 3, "start": "14:00", "end": "16:00"}])))
    # Past (3 March) and signed-in (10 March) lessons stay; the rest follow Wednesdays from 5 March on.
    assert starts(c) == [
        mondays[0],
        datetime(2025, 3, 5, 14),
        mondays[1],
        datetime(2025, 3, 12, 14),
        datetime(2025, 3, 19, 14),
    ]
    pull(later, "items", delete(3, "course:c1"))
    assert starts(c) == [mondays[0], mondays[1]]  # the past one, and the one signed in to


def test_a_course_of_a_new_term_makes_the_term(here, world):
    pull(
        here,
        "items",
        put(1, "course:c1", course(term={"name": "2025年秋季学期", "start": "2025-09-01", "end": "2025-09-14"})),
    )
    term = Term.get(Term.name == "2025年秋季学期")
    assert (term.site.code, term.start, term.end) == (here.site, date(2025, 9, 1), date(2025, 9, 14))
    assert starts(Course.get(Course.bureau_key == "course:c1")) == [datetime(2025, 9, 1, 9), datetime(2025, 9, 8, 9)]


def lessons(c: Course) -> list[tuple]:
    return [(x.start, x.end, x.room, x.cancelled, x.note) for x in c.lessons.order_by(Lesson.start)]


def test_the_bureaus_holidays_skip_lessons_and_its_changes_cancel_or_move_one(here, world):
    cancel = {"day": "2025-03-10", "action": "cancel", "start": None, "end": None, "room": "", "reason": "老师外出"}
    move = {
        "day": "2025-03-17",
        "action": "move",
        "start": "2025-03-18T14:00:00",
        "end": "2025-03-18T16:00:00",
        "room": "二楼",
        "reason": "一楼维修",
    }
    pull(here, "items", put(1, "course:c1", course(holidays=["2025-03-03"], changes=[cancel, move])))
    c = Course.get(Course.bureau_key == "course:c1")
    assert lessons(c) == [
        (datetime(2025, 3, 10, 9), datetime(2025, 3, 10, 11), "", True, "老师外出"),  # 停课: kept, marked
        (datetime(2025, 3, 18, 14), datetime(2025, 3, 18, 16), "二楼", False, "一楼维修"),  # 调课
    ]  # 3 March: a holiday
    assert [h.day for h in world.term.holidays] == [date(2025, 3, 3)]
    # The changes undone in the console: the lessons are as the schedule has them again.
    pull(here, "items", put(2, "course:c1", course(holidays=["2025-03-03"], changes=[])))
    assert lessons(c) == [
        (datetime(2025, 3, 10, 9), datetime(2025, 3, 10, 11), "", False, ""),
        (datetime(2025, 3, 17, 9), datetime(2025, 3, 17, 11), "", False, ""),
    ]


def test_an_enrollment_from_the_console_puts_the_member_on_the_roster_and_dropped_withdraws(here, world):
    wang = world.member("DM0001")
    pull(here, "items", put(1, "course:c1", course()))
    entity = "enrollment:c1:DM0001"
    enrolled = {
        "kind": "enrollment",
        "course": "c1",
        "member_no": "DM0001",
        "status": "enrolled",
        "at": "2025-03-01T09:00:00",
    }
    assert pull(
        here, "items", put(2, entity, enrolled), put(3, "enrollment:c9:DM0001", {**enrolled, "course": "c9"})
    ) == [
        True,
        False,  # a course not here (yet): not recorded, fetched again at the nightly check
    ]
    row = Enrollment.get(Enrollment.member == wang)
    assert (row.course.bureau_key, row.status, row.at) == ("course:c1", "enrolled", datetime(2025, 3, 1, 9))
    pull(here, "items", put(4, entity, {**enrolled, "status": "dropped"}))
    assert Enrollment.get_by_id(row.id).status == "withdrawn"
    pull(here, "items", put(5, entity, {**enrolled, "status": "waitlisted"}), delete(6, entity))
    assert Enrollment.get_by_id(row.id).status == "withdrawn"
    assert Enrollment.select().count() == 1


# -- settings -------------------------------------------------------------------------------------


def test_the_bureaus_settings_lay_over_the_site_file_most_specific_first_and_bad_ones_are_ignored(
    here, tmp_path, settings, caplog
):
    pull(
        here,
        "settings",
        put(1, "*", {"display.mask_names": False, "sync.pull_every_s": 300, "checkin.window_before_min": 45}),
        put(2, f"site:{here.site}", {"sync.pull_every_s": 120, "display.open_from": "25:00", "kiosk.id": "STOLEN"}),
        put(
            3, here.kiosk_id, {"sync.pull_every_s": 90, "sync.nightly_at": "03:15", "checkin.window_after_min": "soon"}
        ),
        put(4, "site:SOMEWHERE-ELSE", {"display.open_until": "18:00"}),
    )
    assert BureauSetting.select().count() == 4
    again = config.load(
        write_site_file(tmp_path, "[checkin]\nwindow_after_min = 20\n", name="again.toml"), settings.kiosk.data_dir
    )
    assert (
        again.display.mask_names,
        again.sync.pull_every_s,
        again.sync.nightly_at,
        again.checkin.window_before_min,
    ) == (False, 90, "03:15", 45)
    # Wrong values and keys the bureau may not set are left as the files have them.
    assert (again.display.open_from, again.checkin.window_after_min, again.kiosk.id, again.display.open_until) == (
        "07:30",
        20,
        settings.kiosk.id,
        "21:00",
    )
    assert "25:00" in caplog.text and "kiosk.id" in caplog.text and "'soon'" in caplog.text
    pull(here, "settings", delete(5, here.kiosk_id))
    assert config.load(write_site_file(tmp_path, name="third.toml"), settings.kiosk.data_dir).sync.pull_every_s == 120


def test_a_kiosk_without_a_database_starts_on_its_files(tmp_path):
    fresh = config.load(write_site_file(tmp_path), tmp_path / "no-data-yet")
    assert fresh.sync.pull_every_s == 20 and fresh.display.mask_names is True
