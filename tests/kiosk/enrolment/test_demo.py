"""The demo season (kiosk/enrolment/demo.py), as the tour, the UI scenarios and the bench publish it."""

import json
from datetime import datetime

from kiosk.enrolment import demo, seasons
from kiosk.store.db import write
from kiosk.store.models import Season

NOW = datetime(2026, 12, 7, 15, 0)


def test_a_season_published_again_at_once_after_a_withdrawal_is_open_with_its_courses(settings, database):
    demo.publish(settings, NOW, courses=8)
    with write():
        Season.delete().execute()  # withdrawn, as the tour does between its shots
    demo.publish(settings, NOW, courses=5)  # the same second: its revs must still be newer

    season = seasons.open_season(NOW)
    assert season is not None and season.key == "demo"
    assert json.loads(Season.get(Season.key == "demo").courses) == ["e1", "e2", "e3", "e4", "e5"]


def test_the_demo_season_is_open_now_and_closes_in_a_week(settings, database):
    demo.publish(settings, NOW)

    season = seasons.open_season(NOW)
    assert season is not None
    assert season.opens < NOW < season.closes
    assert (season.closes.date() - NOW.date()).days == 7 and season.draw_at > season.closes
