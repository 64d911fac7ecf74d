"""Who qualifies for 全勤 and 结业, and the 优秀学员 candidates, on both stores, at the rules' edges:
a holiday, a 停课, a 调课 (counted at its new time, not its old one), a lesson not yet held, a
lesson held with nobody signed in, enrolment after the first lesson, a dropped member, the share of
结业 exactly at 2/3 and just above it, volunteer hours in and out of the term, a tie."""

from datetime import date
from fractions import Fraction

import pytest

from bureau.recognition import rules
from tests.bureau.test_rules import SITE, Till, sites  # noqa: F401 (a fixture)

from .world import World, build

MONDAY = date(2026, 9, 7)


@pytest.fixture
def world(sites) -> World:
    return build(Till(SITE), MONDAY)


def table(record: rules.CourseRecord) -> dict[str, tuple]:
    return {s.member_no: (s.attended, s.held, s.full, s.graduated) for s in record.standings}


def test_lessons_held_skip_holidays_cancelled_and_future_lessons_and_count_a_moved_one_at_its_new_time(world):
    during = world.at(35, 10)  # the last lesson has begun, not ended: not held yet
    (taiji,) = [r for r in rules.term_records(world.term, during) if r.course.title == "太极拳"]
    # d0, d7 and the lesson moved to d23 14:00; not the 停课 of d14, not the holiday d28, not d35 yet.
    assert (taiji.ended, taiji.held) == (3, 3)
    assert table(taiji) == {
        "A0001": (3, 3, True, True),
        "A0002": (2, 3, False, True),  # 2/3 exactly is 结业
        "A0003": (1, 3, False, False),  # the sign-in at the moved lesson's old time is no lesson's
        "A0004": (2, 3, False, True),  # enrolled after the first lesson, which counts all the same
        "A0006": (2, 3, False, True),
    }  # A0005 dropped: not listed, whatever they attended
    assert [s.member_no for s in taiji.qualifying("full")] == ["A0001"]
    assert [s.name for s in taiji.qualifying("graduation")] == ["王𠮷祥", "李秀英", "刘桂兰", "龚𪚥"]


def test_a_lesson_nobody_signed_in_to_is_not_counted_and_one_attended_is(world):
    after = world.at(35, 12)
    taiji = rules.course_record(world.taiji, after)
    assert (taiji.ended, taiji.held) == (4, 3)  # d35 is over, but nobody came: as if it never took place
    assert table(taiji)["A0001"] == (3, 3, True, True)
    world.attend("A0001", "太极拳", world.at(35))
    taiji = rules.course_record(world.taiji, after)
    assert (taiji.ended, taiji.held) == (4, 4)
    assert table(taiji)["A0001"] == (4, 4, True, True)
    assert table(taiji)["A0002"] == (2, 4, False, False)  # 2 of 4 is under 2/3


def test_the_share_of_graduation_is_the_pages_choice(world):
    after = world.at(35, 12)
    at_67 = rules.course_record(world.taiji, after, Fraction(67, 100))
    assert [s.member_no for s in at_67.qualifying("graduation")] == ["A0001"]  # 2/3 = 66.7% < 67%
    at_half = rules.course_record(world.taiji, after, Fraction(1, 2))
    assert [s.member_no for s in at_half.qualifying("graduation")] == ["A0001", "A0002", "A0004", "A0006"]
    assert rules.qualifies(0, 0) == (False, False)  # no lesson held: nobody qualifies
    with pytest.raises(ValueError):
        at_half.qualifying("excellent")


def test_a_course_only_some_lessons_of_which_anyone_attended(world):
    (calligraphy,) = [r for r in rules.term_records(world.term, world.at(35, 12)) if r.course.title == "书法"]
    assert (calligraphy.ended, calligraphy.held) == (5, 2)  # five Wednesdays over, two with sign-ins
    assert table(calligraphy) == {"A0001": (2, 2, True, True)}


def test_candidates_rank_by_attendance_rate_then_volunteer_hours_in_the_term(world):
    found = rules.candidates(world.term, world.at(35, 12))
    assert [(c.rank, c.member_no, c.attended, c.held, c.percent, c.hours) for c in found] == [
        (1, "A0001", 5, 5, "100%", "1"),  # both courses
        (2, "A0004", 2, 3, "66.7%", "3"),
        (3, "A0002", 2, 3, "66.7%", "0"),  # the same rate and hours: the same rank
        (3, "A0006", 2, 3, "66.7%", "0"),
        (5, "A0003", 1, 3, "33.3%", "0"),  # their 5 hours were before the term
    ]
    assert found[0].courses == 2 and found[0].name == "王𠮷祥"


def test_before_the_first_lesson_nothing_is_held_and_nobody_is_a_candidate(world):
    before = world.at(0, 8)
    assert all(r.held == 0 and not r.qualifying("graduation") for r in rules.term_records(world.term, before))
    assert rules.candidates(world.term, before) == []
