"""The items of a season applied at the kiosk (kiosk.sync.apply: season, course ages, result) and
the draw's result told once at the next card read (kiosk.enrolment.results via Reception)."""

from datetime import datetime

from kiosk.checkin.visit import Reception
from kiosk.enrolment import results, seasons
from kiosk.store.models import Course, DrawResult, Season
from tests.kiosk.builders import ID_WANG
from tests.kiosk.enrolment.conftest import CLOSES, DURING, course, season

LATER = datetime(2025, 6, 21, 9, 0)


def result(*courses: dict) -> dict:
    return {"kind": "result", "season": "s1", "courses": list(courses)}


WON = {"course": "c1", "title": "书法（一）班", "status": "won", "rank": 3, "waitlist_position": None, "refusal": ""}
WAIT = {
    "course": "c2",
    "title": "太极（二）班",
    "status": "waitlisted",
    "rank": 41,
    "waitlist_position": 3,
    "refusal": "",
}


def test_a_season_is_upserted_by_its_key_and_a_delete_removes_it(published):
    s = Season.get(Season.key == "s1")
    assert (s.title, s.opens, s.closes, s.max_courses, s.drawn) == (
        "2025 秋季报名",
        datetime(2025, 6, 2, 8),
        CLOSES,
        2,
        False,
    )
    assert seasons.open_season(DURING).key == "s1" and seasons.open_season(CLOSES) is None
    assert published.put("season:s1", season(title="2025 秋季报名（延长）", max_courses=3))
    assert (Season.get().title, Season.get().max_courses, Season.select().count()) == ("2025 秋季报名（延长）", 3, 1)
    assert not published.put("season:s2", season("s2", max_courses=0))  # refused: nothing kept
    assert Season.get().older_first is None  # a season without the key (an older bureau): no age priority
    assert published.put("season:s1", season(older_first=75))
    assert Season.get().older_first == 75 and seasons.open_season(DURING).older_first == 75
    assert not published.put("season:s1", season(older_first="75"))
    assert published.put("season:s1", season(older_first=None, title="2025 秋季报名（延长）", max_courses=3))
    assert Season.get().older_first is None
    assert published.put("season:s1", None)
    assert Season.select().count() == 0


def test_course_items_carry_their_age_range(published):
    ages = {c.bureau_key: (c.age_min, c.age_max) for c in Course.select()}
    assert ages == {"course:c1": (None, None), "course:c2": (60, 75), "course:c3": (65, None)}
    assert not published.put("course:c1", course("c1", "书法（一）班", age_min=-1))
    assert published.put("course:c1", course("c1", "书法（一）班", age_max=80))
    assert Course.get(Course.bureau_key == "course:c1").age_max == 80


def test_the_result_is_told_once_after_the_draw(world, published, settings):
    wang = world.member("XC0001", "王建华", ID_WANG)
    assert published.put("result:s1:XC0001", result(WON, WAIT))
    assert results.take("XC0001", LATER) == ()  # the season is not drawn yet: not news yet
    published.put("season:s1", season(drawn=True))
    reception = Reception(settings)
    first = reception.sign_in(world.qr(wang), LATER)
    assert [(d.title, d.status, d.waitlist_position) for d in first.drawn] == [
        ("书法（一）班", "won", None),
        ("太极（二）班", "waitlisted", 3),
    ]
    assert first.season is None  # drawn: nothing to apply for
    assert DrawResult.get().told_at == LATER
    again = reception.identify(world.qr(wang), LATER.replace(hour=11))
    assert again.drawn == ()
    # The bureau changes the result (a place came free): news again, once.
    assert published.put("result:s1:XC0001", result({**WAIT, "status": "won", "waitlist_position": None}))
    assert [d.status for d in results.take("XC0001", LATER)] == ["won"]
    assert results.take("XC0001", LATER) == ()
    assert published.put("result:s1:XC0001", None) and DrawResult.select().count() == 0


def test_a_result_the_kiosk_cannot_read_is_skipped(world, published):
    assert not published.put("result:s1:XC0001", result({**WON, "status": "maybe"}))
    assert DrawResult.select().count() == 0


def test_a_card_read_during_the_season_offers_it(world, published, settings):
    wang = world.member("XC0001", "王建华", ID_WANG)
    visit = Reception(settings).identify(world.qr(wang), DURING)
    assert visit.season is not None and visit.season.key == "s1" and visit.drawn == ()
    assert Reception(settings).identify(world.qr(wang), CLOSES).season is None
