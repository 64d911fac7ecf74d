"""A season through the store, on SQLite and PostgreSQL: opened and published, applications at the
desk at the eligibility edges, the list fixed (refusals, priority groups), the draw filed (rosters,
the waitlist's order and its promotion, the items), verified, withdrawn."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from bureau.enrolment import applications, lottery, results, seasons
from bureau.enrolment.seasons import SeasonError
from bureau.models import Application, AuditEntry, Course, Enrollment, Member, Season
from bureau.programme import classes
from bureau.store import write

from .world import FIRST_DAY, NOW, build, item, scope_of

OPEN = NOW + timedelta(hours=1)
CLOSED = NOW + timedelta(days=7, minutes=1)


@pytest.fixture
def world(store):
    return build()


def apply(world, course, member, birth=None, reason="", at=OPEN):
    with write():
        return applications.apply(world.season, course, member, "staff-a", at, birth, reason)


def test_a_season_and_its_courses_are_published_as_agreed(world):
    season = world.season
    assert item(f"season:{season.key}") == {
        "kind": "season",
        "key": season.key,
        "title": "2027 春季报名",
        "term": "2027 春季",
        "opens": "2027-01-10T09:00:00",
        "closes": "2027-01-17T09:00:00",
        "draw_at": "2027-01-18T09:00:00",
        "max_courses": 2,
        "members_only": True,
        "returning_first": True,
        "older_first": None,
        "drawn": False,
        "courses": sorted([world.calligraphy.key, world.choir.key, world.yoga.key]),
    }
    assert scope_of(f"season:{season.key}") == "site:DEMO-001"
    yoga = item(f"course:{world.yoga.key}")
    assert (yoga["age_min"], yoga["age_max"], yoga["capacity"]) == (55, 70, 1)
    assert (item(f"course:{world.choir.key}")["age_min"], item(f"course:{world.choir.key}")["age_max"]) == (None, None)
    assert AuditEntry.select().where(AuditEntry.action == "season.offer").count() == 3


def rules_of(season, **changed) -> seasons.Fields:
    """The season's dates and rules as its form holds them, with `changed`."""
    fields = {f: getattr(season, f) for f in seasons.Fields.__dataclass_fields__}
    return seasons.Fields(**{**fields, **changed})


def test_older_first_is_published_checked_and_fixed_once_the_season_opens(world):
    season = world.season
    before = NOW - timedelta(minutes=30)  # the season opens at NOW
    for wrong in (49, 121):
        with pytest.raises(SeasonError, match="优先的年龄应为 50 到 120"), write():
            seasons.edit(season, rules_of(season, older_first=wrong), "staff-a", before)
    with write():
        season = seasons.edit(season, rules_of(season, older_first=75), "staff-a", before)
    assert item(f"season:{season.key}")["older_first"] == 75
    entry = AuditEntry.select().where(AuditEntry.action == "season.update").order_by(AuditEntry.id.desc()).get()
    assert '"older_first": 75' in entry.detail
    with pytest.raises(SeasonError, match="报名开始后不能再修改"), write():
        seasons.edit(season, rules_of(season, older_first=70), "staff-a", OPEN)
    with pytest.raises(SeasonError, match="报名开始后不能再修改"), write():
        seasons.edit(season, rules_of(season, older_first=None), "staff-a", OPEN)
    with write():  # the other rules may still change
        season = seasons.edit(season, rules_of(season, max_courses=3), "staff-a", OPEN)
    assert (item(f"season:{season.key}")["older_first"], season.max_courses) == (75, 3)


def older_first(world, age: int | None) -> None:
    """The season's older-first age set before it opens."""
    fields, before = rules_of(world.season, older_first=age), NOW - timedelta(hours=1)
    with write():
        world.season = seasons.edit(world.season, fields, "s", before)


def test_the_desk_sets_older_from_the_birth_date_at_its_edges(world):
    older_first(world, 75)
    wang, li, zhang, ouyang, chen, _ = world.members
    apply(world, world.choir, wang, date(1952, 3, 1))  # 75 on the term's first day: older
    apply(world, world.choir, li, date(1952, 3, 2))  # 75 the day after: not
    apply(world, world.choir, zhang, date(1952, 2, 29))  # a leap day's 75th birthday is 1 March: older
    apply(world, world.choir, ouyang)  # no ID card shown: not shown to be older
    apply(world, world.yoga, chen, date(1957, 3, 1))  # 70: within 瑜伽's ages, not older
    assert not seasons.older(75, date(1952, 2, 29), date(2027, 2, 28))  # still 74 the day before
    rows = {a.member_no: (a.older, a.age_checked) for a in Application.select()}
    assert rows == {
        wang.member_no: (True, True),
        li.member_no: (False, True),
        zhang.member_no: (True, True),
        ouyang.member_no: (False, False),
        chen.member_no: (False, True),
    }
    entry = AuditEntry.select().where(AuditEntry.action == "application.apply").order_by(AuditEntry.id).first()
    assert '"older": true' in entry.detail and "1952" not in entry.detail
    older_first(world, None)  # a season without the group: nobody is older
    apply(world, world.calligraphy, wang, date(1930, 1, 1))
    assert not Application.get(Application.member_no == wang.member_no, Application.course == world.calligraphy).older


def test_the_groups_put_returning_students_first_and_the_older_first_within_each(world):
    """Both rules: 0 returning and older, 1 returning, 2 older, 3 the others; one rule: 0 and 1."""
    older_first(world, 75)
    wang, li, zhang, ouyang, chen, liu = world.members
    with write():  # 王建华 learnt 书法 last term too (as 陈静 did)
        old = Course.get(Course.term == world.last, Course.title == "书法")
        classes.enroll(old, wang, "staff-a", NOW - timedelta(days=100))
    older, younger = date(1950, 1, 1), date(1960, 1, 1)
    apply(world, world.calligraphy, liu, younger)  # neither
    apply(world, world.calligraphy, ouyang)  # neither (no ID card)
    apply(world, world.calligraphy, zhang, older)  # older
    apply(world, world.calligraphy, wang)  # returning
    apply(world, world.calligraphy, chen, older)  # returning and older
    apply(world, world.calligraphy, li, date(1952, 3, 1))  # older: 75 exactly
    with write():
        hashed = results.freeze(world.season, "staff-a", CLOSED)
    season = Season.get_by_id(world.season.id)
    groups = {a.member_no: a.priority for a in Application.select()}
    assert groups == {
        chen.member_no: 0,
        wang.member_no: 1,
        zhang.member_no: 2,
        li.member_no: 2,
        liu.member_no: 3,
        ouyang.member_no: 3,
    }
    assert hashed == lottery.applicants_hash(
        [lottery.Entry(world.calligraphy.key, m, g) for m, g in groups.items()]
    )  # the groups are part of the fixed list
    assert results.groups(season) == {
        0: "上学期同名课程学员（75 岁及以上）",
        1: "上学期同名课程学员",
        2: "75 岁及以上",
        3: "其他报名者",
    }
    with write():
        drawn = results.draw(season, "3 1 4", "staff-a", CLOSED + timedelta(days=1))
    order = [p for p in drawn.placings if p.course == world.calligraphy.key]
    assert [p.group for p in order] == [0, 1, 2, 2, 3, 3]  # the group before the key
    seed = Season.get_by_id(season.id).seed
    for group in (2, 3):
        members = [p.member_no for p in order if p.group == group]
        assert members == sorted(members, key=lambda m: lottery.draw_key(seed, world.calligraphy.key, m))
    assert [p.member_no for p in order if p.won] == [chen.member_no, wang.member_no]  # 2 places
    assert results.verify(Season.get_by_id(season.id)).matches


def test_the_group_numbers_with_either_rule_or_none():
    def season(returning_first, older_first):
        return SimpleNamespace(returning_first=returning_first, older_first=older_first)

    combos = [(True, True), (True, False), (False, True), (False, False)]  # (returning, older)
    assert [results.group(season(True, 75), *c) for c in combos] == [0, 1, 2, 3]
    assert [results.group(season(True, None), *c) for c in combos] == [0, 0, 1, 1]  # as before older_first
    assert [results.group(season(False, 75), *c) for c in combos] == [0, 1, 0, 1]
    assert [results.group(season(False, None), *c) for c in combos] == [0, 0, 0, 0]
    assert results.groups(season(True, None)) == {0: "上学期同名课程学员", 1: "其他报名者"}
    assert results.groups(season(False, 80)) == {0: "80 岁及以上", 1: "其他报名者"}
    assert results.groups(season(False, None)) == {0: "所有报名者"}


def test_age_on_the_terms_first_day_at_its_edges(world):
    yoga, (wang, li, zhang, ouyang, *_) = world.yoga, world.members
    turns_55_that_day = date(1972, 3, 1)
    turns_55_the_day_after = date(1972, 3, 2)
    turns_71_the_day_after = date(1956, 3, 2)  # still 70 on the first day
    turns_71_that_day = date(1956, 3, 1)
    assert seasons.age_on(turns_55_that_day, FIRST_DAY) == 55
    assert seasons.age_on(turns_55_the_day_after, FIRST_DAY) == 54
    assert seasons.age_on(date(1952, 2, 29), date(2027, 2, 28)) == 74  # a leap day's birthday: 1 March
    assert seasons.age_on(date(1952, 2, 29), date(2027, 3, 1)) == 75
    apply(world, yoga, wang, turns_55_that_day)
    with pytest.raises(SeasonError, match="54 岁"):
        apply(world, yoga, li, turns_55_the_day_after)
    apply(world, yoga, zhang, turns_71_the_day_after)
    with pytest.raises(SeasonError, match="71 岁"):
        apply(world, yoga, ouyang, turns_71_that_day)
    with pytest.raises(SeasonError, match="出生日期"):
        apply(world, yoga, ouyang)  # an age-limited course without the ID card's birth date
    rows = {a.member_no: a.age_checked for a in Application.select()}
    assert rows == {wang.member_no: True, zhang.member_no: True}


def test_the_desk_keeps_max_courses_members_only_and_the_season_window(world):
    wang = world.members[0]
    apply(world, world.calligraphy, wang)
    apply(world, world.choir, wang, reason="女儿代办，本人住院")
    with pytest.raises(SeasonError, match="超过每人限报门数"):
        apply(world, world.yoga, wang, date(1960, 1, 1))
    with pytest.raises(SeasonError, match="已经报名"):
        apply(world, world.choir, wang)
    visitor = Member.create(member_no="DC0001", name="周大爷", site=world.b)
    with pytest.raises(SeasonError, match="只限本站学员"):
        apply(world, world.choir, visitor)
    with pytest.raises(SeasonError, match="不在报名时间内"):
        apply(world, world.choir, world.members[1], at=CLOSED)
    entry = AuditEntry.select().where(AuditEntry.action == "application.apply").order_by(AuditEntry.id.desc()).get()
    assert entry.reason == "女儿代办，本人住院"
    with write():  # a withdrawal frees a place among the courses a person
        applications.withdraw(world.season, world.choir, wang.member_no, "staff-a", OPEN)
    apply(world, world.yoga, wang, date(1960, 1, 1))
    with pytest.raises(SeasonError, match="不在报名时间内"), write():
        applications.withdraw(world.season, world.yoga, wang.member_no, "staff-a", CLOSED)


def test_the_draw_enrols_the_winners_and_waitlists_the_rest_in_draw_order(world):
    wang, li, zhang, ouyang, chen, liu = world.members
    for m in (wang, li, zhang, ouyang, chen):
        apply(world, world.calligraphy, m)
    apply(world, world.choir, liu)
    apply(world, world.choir, wang)
    apply(world, world.yoga, liu, date(1960, 5, 5))
    apply(world, world.yoga, li, date(1960, 5, 5))
    # An application the fixed list refuses: no age checked (a kiosk fact without an ID card).
    Application.create(
        season=world.season, course=world.yoga, member_no=zhang.member_no, applied_at=OPEN, age_checked=False
    )
    with pytest.raises(SeasonError, match="截止后"), write():
        results.freeze(world.season, "staff-a", OPEN)
    with write():
        hashed = results.freeze(world.season, "staff-a", CLOSED)
    season = Season.get_by_id(world.season.id)
    assert season.applicants_hash == hashed == lottery.applicants_hash(results.entries(season))
    refused = Application.get(Application.member_no == zhang.member_no, Application.course == world.yoga)
    assert (refused.status, refused.refusal) == ("refused", results.NO_AGE)
    groups = {a.member_no: a.priority for a in Application.select().where(Application.course == world.calligraphy)}
    assert groups == {wang.member_no: 1, li.member_no: 1, zhang.member_no: 1, ouyang.member_no: 1, chen.member_no: 0}
    with pytest.raises(SeasonError, match="名单已经公布"), write():
        seasons.offer(season, world.choir, 5, None, None, "staff-a", CLOSED)

    with write():
        drawn = results.draw(season, "07 23 11 35 02", "staff-a", CLOSED + timedelta(days=1))
    season = Season.get_by_id(season.id)
    assert (season.public_numbers, season.seed) == ("07 23 11 35 02", lottery.seed(hashed, "07 23 11 35 02"))
    calligraphy = [p for p in drawn.placings if p.course == world.calligraphy.key]
    assert calligraphy[0].member_no == chen.member_no  # last term's student of 书法 draws first
    winners = [p.member_no for p in calligraphy if p.won]
    waiting = [p.member_no for p in calligraphy if not p.won]
    assert len(winners) == 2 and len(waiting) == 3
    roster = classes.roster(world.calligraphy)
    assert [(r.enrollment.member_no, r.enrollment.status) for r in roster] == [
        *((m, "enrolled") for m in winners),
        *((m, "waitlisted") for m in waiting),
    ]
    statuses = {
        a.member_no: (a.status, a.rank) for a in Application.select().where(Application.course == world.calligraphy)
    }
    assert statuses == {p.member_no: ("won" if p.won else "waitlisted", p.rank) for p in calligraphy}
    # The existing promotion takes the waitlist in draw order.
    with write():
        promoted = classes.drop(world.calligraphy, winners[0], "staff-a")
    assert [p.member_no for p in promoted] == [waiting[0]]
    with write():
        promoted = classes.drop(world.calligraphy, winners[1], "staff-a")
    assert [p.member_no for p in promoted] == [waiting[1]]
    # Each senior's result, to their own site's kiosks, in the agreed format.
    told = item(f"result:{season.key}:{zhang.member_no}")
    assert told["kind"] == "result" and told["season"] == season.key
    by_course = {c["course"]: c for c in told["courses"]}
    assert by_course[world.yoga.key] == {
        "course": world.yoga.key,
        "title": "瑜伽",
        "status": "refused",
        "rank": None,
        "waitlist_position": None,
        "refusal": results.NO_AGE,
    }
    mine = by_course[world.calligraphy.key]
    placing = next(p for p in calligraphy if p.member_no == zhang.member_no)
    assert (mine["status"], mine["rank"], mine["waitlist_position"]) == (
        "won" if placing.won else "waitlisted",
        placing.rank,
        placing.waitlist_position,
    )
    assert scope_of(f"result:{season.key}:{zhang.member_no}") == "site:DEMO-001"
    assert item(f"season:{season.key}")["drawn"] is True
    assert item(f"enrollment:{world.choir.key}:{liu.member_no}")["status"] == "enrolled"
    yoga = [p for p in drawn.placings if p.course == world.yoga.key]
    assert [p.won for p in yoga] == [True, False]  # 1 place, 2 with their age checked
    entry = AuditEntry.get(AuditEntry.action == "season.draw")
    assert season.seed in entry.detail and "07 23 11 35 02" in entry.detail

    # Verified from the store: the same order; with other numbers, or a rank changed, it differs.
    assert results.verify(season).matches
    assert not results.verify(season, "07 23 11 35 03").matches
    Application.update(rank=99).where(
        Application.member_no == zhang.member_no, Application.course == world.calligraphy
    ).execute()
    found = results.verify(season)
    assert not found.matches and len(found.differences) == 1
    with pytest.raises(SeasonError, match="已经摇过号"), write():
        results.draw(season, "1", "staff-a", CLOSED + timedelta(days=1))
    with pytest.raises(SeasonError, match="不能撤销"), write():
        seasons.withdraw(season, "staff-a", "", CLOSED)


def test_the_draw_refuses_a_list_changed_after_it_was_fixed(world):
    apply(world, world.choir, world.members[0])
    with write():
        results.freeze(world.season, "staff-a", CLOSED)
    Application.update(member_no="XC0009").execute()  # behind the rules' back
    with pytest.raises(SeasonError, match="不一致"), write():
        results.draw(Season.get_by_id(world.season.id), "5", "staff-a", CLOSED)


def test_a_season_withdrawn_before_its_draw_is_deleted_at_the_kiosks(world):
    apply(world, world.choir, world.members[0])
    key = world.season.key
    with write():
        seasons.withdraw(world.season, "staff-a", "课程安排有变", OPEN)
    assert item(f"season:{key}") is None and scope_of(f"season:{key}") == "site:DEMO-001"
    assert Season.select().count() == 0 and Application.select().count() == 0
    assert AuditEntry.get(AuditEntry.action == "season.withdraw").reason == "课程安排有变"
    assert Enrollment.select().where(Enrollment.course == world.choir).count() == 0
