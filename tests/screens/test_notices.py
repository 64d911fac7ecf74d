"""Notices on the seniors' screens in the real app (Xvfb): home's band turns through them, the
attract screen gives each a slide, and the voice announces a notice once (kiosk.programme.notices)."""

import sqlite3


def test_notices_on_home_and_attract_announced_once(run_scenario):
    obs, data_dir = run_scenario("notices")
    assert obs["finished"], obs.get("step")
    new = ["停课：周三太极拳停课", "因场地维修，本周三太极拳停课一次。"]
    old = ["调课：书法班改到二楼", "本周起书法班在二楼教室上课。"]

    # Home: both notices in turn, in the band under the prompt, with the time they end.
    turns = [line for (line,) in obs["home_band"].values()]
    assert {x.split("（")[0] for x in turns} == {new[0], old[0]}
    assert turns[0] != turns[1] and turns[0] == turns[2]
    assert all("（至 " in x for x in turns) and obs["home_band_height"] > 0

    # Attract: the three slides, then one for each notice, its words and when it is in force.
    slides = obs["attract"]
    notice_slides = {s["title"]: s["lines"] for s in slides[3:5]}
    assert set(notice_slides) == {new[0], old[0]}
    assert notice_slides[new[0]][0] == new[1] and " 至 " in notice_slides[new[0]][1]

    # The voice: the new notice once (its kind, never its words); the one announced before, never.
    assert obs["said_on_home"] == ["notice_suspend"]
    assert obs["said"] == obs["said_at_end"] == ["notice_suspend"]
    with sqlite3.connect(data_dir / "kiosk.db") as db:
        assert db.execute("SELECT count(*) FROM notice WHERE spoken_at IS NOT NULL").fetchone()[0] == 2


def test_without_notices_the_band_takes_no_room(run_scenario):
    obs, _ = run_scenario("no_notices")
    assert obs["finished"], obs.get("step")
    assert (obs["band_height"], obs["band_texts"]) == (0, [])
