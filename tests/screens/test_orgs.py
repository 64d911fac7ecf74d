"""Branches and volunteer teams on the seniors' screens in the real app (Xvfb): the next activity of
the senior's own branch and team first on 近期活动, marked and uncut in normal and 大字 type, and
volunteer hours in 我的积分 (demo data: DM0001 and DM0004 are in both, config/demo/site.toml)."""

import pytest

from kiosk.i18n import t


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    from tests.screens.conftest import run_harness

    obs, _ = run_harness("org_activities", tmp_path_factory.mktemp("orgs"))
    assert obs["finished"], obs.get("step")
    return obs


def test_the_own_branchs_and_teams_next_activities_come_first_on_activities(seen):
    normal, large = seen["dm0001_activities"], seen["dm0004_activities"]
    assert normal["scale"] == 1 and large["scale"] > 1
    assert len(normal["rows"]) == 3 and len(large["rows"]) == 2  # as many rows as the screen fits
    expected = ["您的服务队：志愿服务：敬老院探访慰问", "您的支部：主题党日：重温入党誓词"]
    assert [r["title"] for r in normal["rows"][:2]] == expected
    assert [r["title"] for r in large["rows"]] == expected
    assert not normal["rows"][2]["title"].startswith("您的")
    for row in normal["rows"] + large["rows"]:
        assert row["fits"] and row["line_fits"], row  # never cut with …


def test_points_shows_a_volunteer_entrys_service_and_hours_and_the_years_hours(seen):
    normal, large = seen["dm0001_points"], seen["dm0004_points"]
    assert normal["hours"] == t("points.volunteer_year", hours="5")  # 3 + 2 hours this year ...
    assert large["hours"] == t("points.volunteer_year", hours="4.5") and large["scale"] > 1
    assert ["志愿服务 · 社区助老义诊 2 小时", "+4"] in normal["rows"]
    assert large["rows"][:2] == [["志愿服务 · 敬老院探访慰问 2 小时", "+4"], ["志愿服务 · 社区助老义诊 2.5 小时", "+5"]]
    for shot in (normal, large):  # beside the balance, clear of it, on the screen
        assert shot["balance_text_right"] < shot["hours_left"] and shot["hours_right"] <= 1920
