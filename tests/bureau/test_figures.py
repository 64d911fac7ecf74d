"""The charts' figures (bureau/figures.py) on both stores: attendance per week beside last year's,
courses by fill rate and unmet demand, the members' portrait."""

from datetime import date, timedelta

from bureau import figures
from bureau.figures import AGE_BANDS
from bureau.models import Site

from .programme import regions_data


def test_weekly_attendance_with_last_year_beside_it(store):
    demo = regions_data.build()
    east = [demo.sites["DEMO-001"].id, demo.sites["DEMO-002"].id]
    weekly = figures.weekly_attendance(east, demo.today)
    monday = demo.today - timedelta(days=demo.today.weekday())
    assert len(weekly.weeks) == len(weekly.this_year) == len(weekly.last_year) == 52
    assert weekly.weeks[-1] == monday and all(w.weekday() == 0 for w in weekly.weeks)
    assert weekly.this_year[-1] == demo.signins_week["DEMO-001"] + demo.signins_week["DEMO-002"] == 6 + 3
    old = demo.today - timedelta(days=45)  # each site's first member, 45 days ago
    assert weekly.this_year[weekly.weeks.index(old - timedelta(days=old.weekday()))] == 2
    assert sum(weekly.this_year) == 6 + 3 + 2
    assert weekly.last_year[-1] == 4 and sum(weekly.last_year) == 4  # the week 52 weeks before this one
    assert figures.weekly_attendance([], demo.today).this_year == [0] * 52


def test_courses_by_fill_rate_and_unmet_demand(store):
    demo = regions_data.build()
    courses = figures.course_fill([s.id for s in demo.sites.values()])
    assert [(c.title, c.enrolled, c.capacity, c.waitlisted, c.full) for c in courses] == [
        ("太极拳", 20, 20, 5, True),
        ("智能手机", 15, 15, 3, True),
        ("摄影", 24, 30, 0, False),
        ("书法", 6, 10, 0, False),
        ("国画", 4, 10, 0, False),
        ("合唱团", 12, 0, 0, False),  # no limit: no fill rate, last
    ]
    assert courses[-1].fill is None
    only = figures.course_fill([demo.sites["DEMO-003"].id])
    assert [c.title for c in only] == ["智能手机", "国画"]


def test_the_members_portrait_by_age_band_and_gender(store):
    regions_data.build()
    everyone = [s.id for s in Site.select()]
    portrait = figures.portrait(everyone, date(2026, 6, 1))
    # Ages in 2026: 76 男, 78 女, 64 女, 86 男 | 68 女, 71 女 | 81 男, 56 女, 93 女 | 74 男, ? 女
    #              66 男, 65 女, 77 女, 70 ?
    assert portrait.genders == ["男", "女", "未填写"]
    table = {band: [portrait.count(band, g) for g in portrait.genders] for band in AGE_BANDS}
    assert table == {
        "60岁以下": [0, 1, 0],
        "60–69岁": [1, 3, 0],
        "70–79岁": [2, 3, 1],
        "80–89岁": [2, 0, 0],
        "90岁及以上": [0, 1, 0],
    }
    assert portrait.no_age == 1
    assert [figures.age_band(a) for a in (59, 60, 69, 70, 89, 90, 104)] == [
        "60岁以下",
        "60–69岁",
        "60–69岁",
        "70–79岁",
        "80–89岁",
        "90岁及以上",
        "90岁及以上",
    ]
