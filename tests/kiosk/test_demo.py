"""The demo site: loaded once into an empty database, always something to sign in to, no ID numbers kept."""

import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from contract import idhash, payloads
from kiosk import config, demo
from kiosk.checkin.signin import CheckIn
from kiosk.identity import ids, tokens
from kiosk.identity.credentials import Credential
from kiosk.points import passbook
from kiosk.programme import activities, schedule
from kiosk.programme import my_courses as courses
from kiosk.store.db import open_db
from kiosk.store.models import (
    Activity,
    Course,
    Enrollment,
    Holiday,
    Lesson,
    Member,
    Outbox,
    PointsEntry,
    Registration,
    SignIn,
    Site,
    Term,
)

# A Wednesday evening: no scheduled demo lesson is due then.
NOW = datetime(2025, 3, 12, 20, 10)


@pytest.fixture
def demo_settings(tmp_path):
    return config.load(None, tmp_path / "data")


@pytest.fixture
def demo_db(demo_settings):
    database = open_db(demo_settings.kiosk.data_dir)
    assert demo.load_if_empty(demo_settings, NOW) is True
    yield database
    database.close()


@pytest.fixture
def data(demo_settings):
    return demo.read(demo_settings.site.demo_data)


def test_loads_once(demo_settings, demo_db):
    assert demo.load_if_empty(demo_settings, NOW) is False
    assert Site.select().count() == 1 and Member.select().count() == 200


def test_nothing_is_loaded_when_demo_data_is_off(settings, database):
    assert demo.load_if_empty(settings, NOW) is False
    demo.ensure_due(settings, NOW)
    assert Site.select().count() == 0 and Lesson.select().count() == 0


def test_demo_contents(demo_db, data):
    assert Member.select().count() == 200
    assert Course.select().count() >= 12
    assert Activity.select().count() == len(data["activities"])
    assert Registration.select().count() == sum(
        len(a.get(k, [])) for a in data["activities"] for k in ("registered", "promoted", "waitlisted")
    )
    assert Enrollment.select().count() == sum(len(m["courses"]) for m in data["members"])
    always = [c["name"] for c in data["courses"] if c.get("always_due")]
    for course in Course.select():
        if course.name in always:
            continue
        expected = len(schedule.lesson_times(course, course.term, {h.day for h in Holiday.select()}))
        assert course.lessons.count() == expected > 0, course.name


def test_term_is_placed_around_the_first_start(demo_db, data):
    term = Term.get()
    monday = NOW.date() - timedelta(days=NOW.weekday())
    assert term.start == monday - timedelta(weeks=data["term"]["starts_weeks_before"])
    assert term.start.isoweekday() == 1
    assert (term.end - term.start).days + 1 == data["term"]["weeks"] * 7
    assert term.name == "2025年春季学期"  # starts 27 January, runs into June


@pytest.mark.parametrize(
    "first_start, name",
    [
        (datetime(2025, 3, 12, 9), "2025年春季学期"),  # term starts in January
        (datetime(2025, 5, 20, 9), "2025年春季学期"),
        (datetime(2025, 9, 10, 9), "2025年秋季学期"),  # term starts in July
        (datetime(2025, 12, 1, 9), "2025年秋季学期"),
        (datetime(2026, 1, 5, 9), "2025年秋季学期"),  # an autumn term reaching into the new year
    ],
)
def test_term_name_follows_the_season_it_mostly_covers(demo_settings, first_start, name):
    database = open_db(demo_settings.kiosk.data_dir)
    demo.load_if_empty(demo_settings, first_start)
    assert Term.get().name == name
    database.close()


def test_holidays_are_skipped(demo_db):
    holiday = Holiday.get()
    term = Term.get()
    assert holiday.day == term.start + timedelta(weeks=8, days=2)  # week 9, Wednesday
    assert (
        not Lesson.select()
        .where(
            Lesson.start.between(
                datetime.combine(holiday.day, datetime.min.time()), datetime.combine(holiday.day, datetime.max.time())
            )
        )
        .exists()
    )
    # The same courses do meet on the Wednesdays around it.
    wednesday_courses = [c for c in Course.select() if any(s["weekday"] == 3 for s in schedule.weekly_slots(c))]
    assert wednesday_courses
    for course in wednesday_courses:
        days = {x.start.date() for x in course.lessons}
        assert holiday.day - timedelta(weeks=1) in days and holiday.day + timedelta(weeks=1) in days


def test_members_have_their_id_hash_and_nothing_of_the_number(demo_db, data):
    by_no = {m["no"]: m for m in data["members"]}
    dump = "\n".join(demo_db.connection().iterdump())
    for member in Member.select():
        number = by_no[member.member_no]["id"]
        assert len(member.id_hash) == idhash.LENGTH
        born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        assert number[6:14] not in dump and born not in dump, member.member_no
    columns = {c.name for c in demo_db.get_columns("member")}
    assert columns.isdisjoint({"id_last4", "birth_year", "birth_date", "address"})
    assert Member.select(Member.id_hash).distinct().count() == 200


def test_the_shipped_demo_hashes_are_the_derived_ones(demo_settings, data):
    # tools/demo_hashes.py made them; a changed ID number in the demo file needs them made again.
    key = bytes.fromhex(demo_settings.security.id_hash_key)
    shipped = demo.id_hashes(demo_settings.site.demo_data, data["members"], key)
    assert list(shipped.values()) == ids.id_hashes((m["id"] for m in data["members"]), key)


def test_another_key_derives_the_demo_hashes_itself(demo_settings, data):
    rows, key = data["members"][:3], bytes(range(32))
    assert demo.id_hashes(demo_settings.site.demo_data, rows, key) == {m["no"]: ids.id_hash(m["id"], key) for m in rows}


def test_ensure_due_lets_a_demo_member_sign_in(demo_settings, demo_db):
    checkin = CheckIn(demo_settings)
    assert checkin.handle(Credential.qr(_token(demo_settings, "DM0004")), NOW).kind == "not_due"
    demo.ensure_due(demo_settings, NOW)
    r = checkin.handle(Credential.qr(_token(demo_settings, "DM0004")), NOW + timedelta(minutes=1))
    assert r.kind == "ok" and r.item.title == "智能手机应用（体验课堂）"
    assert SignIn.select().where(SignIn.member == member("DM0004")).count() == 1


def test_a_demo_id_card_signs_in(demo_settings, demo_db, data):
    demo.ensure_due(demo_settings, NOW)
    number = next(m["id"] for m in data["members"] if m["no"] == "DM0004")
    r = CheckIn(demo_settings).handle(Credential(method="idcard", id_number=number, valid_to=date(2040, 1, 1)), NOW)
    assert r.kind == "ok" and r.member_no == "DM0004"


def test_ensure_due_adds_one_lesson_only(demo_settings, demo_db):
    demo.ensure_due(demo_settings, NOW)
    count = Lesson.select().count()
    demo.ensure_due(demo_settings, NOW + timedelta(minutes=5))
    assert Lesson.select().count() == count


@pytest.mark.parametrize("minute, second", [(0, 0), (29, 50), (44, 30), (59, 59)])
def test_a_lesson_ensured_stays_due_until_the_next_top_up(demo_settings, demo_db, minute, second):
    """The app tops up every 5 minutes: a lesson made at 20:01, found again at 20:29:50, is
    not one that leaves the window seconds later."""
    demo.ensure_due(demo_settings, NOW.replace(minute=1))
    now = NOW.replace(minute=minute, second=second)
    demo.ensure_due(demo_settings, now)
    r = CheckIn(demo_settings).handle(Credential.qr(_token(demo_settings, "DM0004")), now + timedelta(minutes=5))
    assert r.kind == "ok"


def _always_due_lessons(settings) -> list[Lesson]:
    course = demo.always_due_courses(settings)[0]
    return list(course.lessons.where(~Lesson.cancelled).order_by(Lesson.start))


@pytest.mark.parametrize("before, after", [(30, 30), (10, 5), (0, 0)])
def test_ensure_due_never_stacks_overlapping_lessons_over_a_day(demo_settings, demo_db, before, after):
    """Topped up every 5 minutes for 14 hours: something is always due, and no two lessons of
    the always-due course overlap (they may follow on: one sitting)."""
    demo_settings.checkin.window_before_min, demo_settings.checkin.window_after_min = before, after
    checkin = CheckIn(demo_settings)
    start = NOW.replace(hour=7, minute=3)
    for step in range(14 * 12):
        now = start + timedelta(minutes=5 * step)
        demo.ensure_due(demo_settings, now)
        assert checkin._due(member("DM0004"), now), now
        lessons = _always_due_lessons(demo_settings)
        assert all(a.end <= b.start for a, b in zip(lessons, lessons[1:])), now
        assert all(x.start < x.end for x in lessons), now


def test_a_demo_members_second_read_is_already_and_earns_nothing(demo_settings, demo_db):
    """The walkthrough's 36 → 38: a second read 20 minutes on, after a top-up, signed in again."""
    checkin = CheckIn(demo_settings)
    qr = Credential.qr(_token(demo_settings, "DM0004"))
    demo.ensure_due(demo_settings, NOW)
    first = checkin.handle(qr, NOW + timedelta(minutes=1))
    assert first.kind == "ok"
    for minutes in range(5, 26, 5):
        demo.ensure_due(demo_settings, NOW + timedelta(minutes=minutes))
    r = checkin.handle(qr, NOW + timedelta(minutes=26))
    assert r.kind == "already" and r.options == () and r.balance == first.balance
    assert SignIn.select().where(SignIn.member == member("DM0004")).count() == 1


@pytest.mark.parametrize("before, after", [(30, 30), (10, 5), (0, 0), (60, 0), (0, 29)])
@pytest.mark.parametrize("minute, second", [(0, 0), (10, 0), (29, 59), (44, 30)])
def test_ensure_due_works_for_any_window(demo_settings, demo_db, before, after, minute, second):
    demo_settings.checkin.window_before_min, demo_settings.checkin.window_after_min = before, after
    now = NOW.replace(minute=minute, second=second)
    demo.ensure_due(demo_settings, now)
    r = CheckIn(demo_settings).handle(Credential.qr(_token(demo_settings, "DM0004")), now)
    assert r.kind == "ok"


def test_no_full_id_number_anywhere_in_the_database_files(demo_settings, demo_db, data):
    demo.ensure_due(demo_settings, NOW)
    CheckIn(demo_settings).handle(
        Credential(method="idcard", id_number=data["members"][3]["id"], valid_to=date(2040, 1, 1)), NOW
    )
    folder = demo_settings.kiosk.data_dir
    assert (Path(folder) / "kiosk.db-wal").is_file()
    raw = b"".join(p.read_bytes() for p in sorted(Path(folder).glob("kiosk.db*")))
    assert len(raw) > 100_000
    for m in data["members"]:
        number = m["id"].encode("ascii")
        assert number not in raw and number[:17] not in raw, m["no"]
        assert m["id"].encode("utf-16-le") not in raw


# -- what the seniors' own screens show on the first start ----------------------------------------


def member(no: str) -> Member:
    return Member.get(Member.member_no == no)


def test_the_coming_three_weeks_have_activities_of_every_kind(demo_db):
    coming = activities.upcoming(NOW, member("DM0001").member_no, days=21)
    assert len(coming) >= 5
    kinds = {Activity.get_by_id(v.id).kind for v in coming}
    assert kinds >= {"report", "walk", "party_day", "performance", "exhibition", "volunteer"}
    assert any(v.status == "registered" and v.can_change for v in coming)  # DM0001 signed up
    assert any(v.open for v in coming)
    assert any(v.places_left and v.status == "" and v.can_change for v in coming)


def test_a_full_activity_with_dm0002_first_on_its_waitlist(demo_db):
    full = [v for v in activities.upcoming(NOW, member("DM0002").member_no, days=21) if v.places_left == 0]
    assert len(full) == 1
    v = full[0]
    assert (v.status, v.waitlist_position, v.can_change) == ("waitlisted", 1, True)
    waiting = Registration.select().where(Registration.activity == v.id, Registration.status == "waitlisted")
    assert waiting.count() >= 2
    # Anyone else signing up joins the back of the queue.
    change = activities.sign_up(member("DM0100").member_no, v.id, NOW, "KIOSK-DEMO-01", "DEMO-001")
    assert change.outcome == "waitlisted" and change.view.waitlist_position == waiting.count()


def test_dm0001_and_dm0004_see_their_branchs_and_teams_next_activities_first(demo_db):
    for no in ("DM0001", "DM0004"):
        coming = activities.upcoming(NOW, no)
        assert [(v.org_kind, v.title) for v in coming[:2]] == [
            ("team", "志愿服务：敬老院探访慰问"),
            ("branch", "主题党日：重温入党誓词"),
        ]
        assert not any(v.org_kind for v in coming[2:])
    # Someone in neither sees them in their place, unmarked.
    plain = activities.upcoming(NOW, "DM0002")
    assert [v.start for v in plain] == sorted(v.start for v in plain) and not any(v.org_kind for v in plain)


def test_dm0001_and_dm0004_gave_volunteer_hours_this_year(demo_db):
    # NOW is in March: the entries of the last four weeks are all this year's.
    assert passbook.volunteer_minutes("DM0001", NOW.year) == 300
    assert passbook.volunteer_minutes("DM0004", NOW.year) == 270
    assert passbook.volunteer_minutes("DM0002", NOW.year) == 0


def test_dm0003_is_told_of_a_place_once(demo_db):
    notices = activities.take_notices(member("DM0003").member_no, NOW)
    assert [n.title for n in notices] == ["志愿服务：社区助老义诊引导"]
    assert notices[0].start > NOW
    assert activities.take_notices(member("DM0003").member_no, NOW) == []
    assert not Registration.select().where(Registration.notify).exists()


def test_dm0001s_passbook_spans_pages_and_every_kind(demo_db, data):
    dm = member("DM0001")
    book = passbook.passbook(dm.member_no, per_page=5)
    assert book.total >= 12 and book.pages >= 3
    entries = list(PointsEntry.select().where(PointsEntry.member == dm))
    assert {e.status for e in entries} == {"confirmed"}
    notes = sorted((e.kind, e.note, e.minutes) for e in entries if e.kind != "lesson")
    assert notes == [
        ("correction", "积分更正：停电时签到未记录，工作人员已核实", None),
        ("redeem", "兑换 老年大学纪念保温杯", None),
        ("volunteer", "图书室值班 3 小时", 180),
        ("volunteer", "社区助老义诊 2 小时", 120),
    ]
    assert next(e.amount for e in entries if e.kind == "redeem") < 0
    assert all(e.at < NOW for e in entries)
    # The confirmed balance: what was carried over from earlier terms plus this term's entries.
    carried = next(m["points"] for m in data["members"] if m["no"] == "DM0001")
    assert dm.points_confirmed == carried + sum(e.amount for e in entries) == book.balance


def test_the_demo_is_loaded_with_the_facts_a_kiosk_would_have_written(demo_db, data):
    """A bureau learns a member only from their facts: each demo member's registration, sign-ins
    and entries are in the outbox as the kiosk writes them, every payload one the bureau takes."""
    outbox = list(Outbox.select().order_by(Outbox.seq))
    for fact in outbox:
        payloads.parse(fact.kind, fact.payload)
    sent = {
        kind: [(o.event_id, json.loads(o.payload)) for o in outbox if o.kind == kind]
        for kind in {o.kind for o in outbox}
    }
    assert set(sent) == {"member", "signin", "points", "redemption"}
    # The catalogue's requests the demo's seniors made here, each as the kiosk writes it.
    asked = [(p["member_no"], p["item"], p["action"]) for _, p in sent["redemption"]]
    wanted = [(no, c["key"], "request") for c in data["catalogue"] for no, _ in c.get("requested", [])]
    assert sorted(asked) == sorted(wanted) and len(asked) == 2
    roster = {m.member_no: m for m in Member.select()}
    registered = [p for _, p in sent["member"]]
    assert sorted(p["member_no"] for p in registered) == sorted(roster) and len(registered) == 200
    assert all(
        (p["name"], p["id_hash"], p["site"], p["active"])
        == (roster[p["member_no"]].name, roster[p["member_no"]].id_hash, "DEMO-001", True)
        for p in registered
    )
    assert {e for e, _ in sent["signin"]} == {s.event_id for s in SignIn.select()}
    assert SignIn.select().count() == PointsEntry.select().where(PointsEntry.kind == "lesson").count() > 0
    entries = {e for e, _ in sent["points"]}
    assert {p.event_id for p in PointsEntry.select()} < entries  # and each carried-over balance
    # The bureau's balance is the sum of a member's entries: the one the demo shows.
    balances = Counter()
    for _, p in sent["points"]:
        balances[p["member_no"]] += p["amount"]
    assert +balances == +Counter({no: m.points_confirmed for no, m in roster.items()})
    carried = next(m["points"] for m in data["members"] if m["no"] == "DM0003")
    assert [(p["kind"], p["amount"]) for _, p in sent["points"] if p["member_no"] == "DM0003"] == [
        ("correction", carried)
    ]


def test_dm0001_came_to_nearly_every_lesson_but_missed_the_last_two_of_one_course(demo_db):
    views = {v.name: v for v in courses.my_courses(member("DM0001").member_no, NOW)}
    assert set(views) == {"国画花鸟班", "摄影入门班", "智能手机应用（体验课堂）"}
    painting, photo = views["国画花鸟班"], views["摄影入门班"]
    assert painting.held >= 12 and painting.attended == painting.held - 1 and painting.missed_in_a_row == 0
    assert photo.held >= 6 and photo.attended == photo.held - 2 and photo.missed_in_a_row == 2
    assert views["智能手机应用（体验课堂）"].missed_in_a_row == 0


# Other first starts: a Tuesday and a Thursday while DM0001's lessons are on, a Monday morning, midnight.
@pytest.mark.parametrize(
    "first_start",
    [
        NOW,
        datetime(2025, 3, 11, 9, 20),
        datetime(2025, 3, 13, 14, 45),
        datetime(2025, 3, 10, 7, 0),
        datetime(2025, 3, 14, 0, 5),
    ],
)
def test_history_never_makes_a_lesson_due_now_already(demo_settings, first_start):
    database = open_db(demo_settings.kiosk.data_dir)
    demo.load_if_empty(demo_settings, first_start)
    window = timedelta(minutes=demo_settings.checkin.window_after_min)
    signed = SignIn.select(SignIn, Lesson).join(Lesson)
    assert signed.count() >= 15
    assert all(s.lesson.start < first_start - window and s.at < first_start for s in signed)
    demo.ensure_due(demo_settings, first_start)
    r = CheckIn(demo_settings).handle(Credential.qr(_token(demo_settings, "DM0001")), first_start)
    assert r.kind in ("ok", "choose")
    photo = next(v for v in courses.my_courses(member("DM0001").member_no, first_start) if v.name == "摄影入门班")
    assert photo.missed_in_a_row >= 2
    database.close()


def test_dm0001_has_the_always_due_lesson_only(demo_settings, demo_db):
    demo.ensure_due(demo_settings, NOW)
    r = CheckIn(demo_settings).handle(Credential.qr(_token(demo_settings, "DM0001")), NOW)
    assert r.kind == "ok" and r.item.title == "智能手机应用（体验课堂）"


def _token(settings, member_no):
    return tokens.make(member_no, 1, bytes.fromhex(settings.security.card_key))
