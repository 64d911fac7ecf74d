"""Notices in the real app (tests/screens/test_notices.py): pulled as the sync applies them, shown on
home's band and the attract screen's slides, and announced by the voice once."""

from datetime import datetime, timedelta

from kiosk.store.db import write
from kiosk.sync import apply
from tests.screens.scenarios_service import fake_clock, open_now, shown, spy_voice, texts


def pulled(app, settings, rev: int, key: str, kind: str, title: str, body: str, spoken: bool = False) -> None:
    """A notice as the items stream brings it, applied by kiosk.sync.apply."""
    now = datetime.now().replace(microsecond=0)
    data = {
        "kind": "notice",
        "key": key,
        "type": kind,
        "title": title,
        "body": body,
        "start": (now - timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(days=1)).isoformat(),
    }
    entry = {"rev": rev, "id": f"notice:{key}", "op": "put", "data": data, "crc": 0}
    with write():
        assert apply.item("items", entry, apply.Here(settings.site.code, settings.kiosk.id, now))
        if spoken:
            from kiosk.store.models import Notice

            Notice.update(spoken_at=now).where(Notice.key == key).execute()


def notices(app, settings, obs):
    """Two notices pulled (one announced before a restart): home shows them in turn and says
    the new one once; the attract screen gives each a slide and says nothing again."""
    clock = fake_clock(app)
    open_now(settings)
    spy_voice(app, obs)

    def arrive():
        pulled(app, settings, 1, "old", "move", "书法班改到二楼", "本周起书法班在二楼教室上课。", spoken=True)
        pulled(app, settings, 2, "new", "suspend", "周三太极拳停课", "因场地维修，本周三太极拳停课一次。")
        app.home._minute = None  # the next second's refresh reloads, as at the next minute
        app.go_home()
        return lambda: bool(texts(app.home.ids.notice))

    def both_on_home():
        home, seen = app.home, {}
        start = datetime.now()
        for turn in range(4):  # the band turns every NOTICE_TURN_S: each notice twice
            home._show_notice(start + timedelta(seconds=10 * turn))
            seen[turn] = texts(home.ids.notice)
        obs["home_band"] = seen
        obs["home_band_height"] = home.ids.notice.height
        obs["said_on_home"] = [name for name, _ in obs["spoken"]]

    def wait_attract():
        clock.advance(settings.display.attract_after_s + 1)
        return shown(app, "attract")

    def every_slide():
        attract = app.attract
        obs["attract"] = []
        for _ in range(5):  # prompt, today, activities, then a slide for each notice
            obs["attract"].append(
                {"title": attract.ids.title.text, "lines": [attract.ids[f"line{i}"].text for i in range(3)]}
            )
            attract.advance()
        obs["said"] = [name for name, _ in obs["spoken"]]

    def home_again():
        app.go_home()
        return shown(app, "home")

    def after():
        app.home._minute = None
        app.home.refresh()
        obs["said_at_end"] = [name for name, _ in obs["spoken"]]

    return [arrive, both_on_home, wait_attract, every_slide, home_again, after]


def no_notices(app, settings, obs):
    """No notice: the band takes no room."""
    fake_clock(app)
    open_now(settings)

    def home():
        app.go_home()
        return shown(app, "home")

    def look():
        obs["band_height"] = app.home.ids.notice.height
        obs["band_texts"] = texts(app.home.ids.notice)

    return [home, look]


SCENARIOS = [notices, no_notices]
