"""The kiosk's pull asks GET /v1/heads first, against a real bureau on loopback (both stores): an
idle cycle is that one request; a change pulls its stream only; a rebuilt stream (new handle) and
a refetch left under way are pulled; an older bureau without /v1/heads gets every stream pulled.
Requests are counted on the kiosk's own connection to the bureau."""

from collections import Counter
from datetime import datetime

import httpx
import pytest

from bureau import admin, publish
from kiosk.store.db import write
from kiosk.store.models import Activity, PointsRule, Site
from kiosk.sync import state
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.pull import STREAMS, pull_all

from .conftest import SITE


class Counting(httpx.HTTPTransport):
    """The real connection, counting each request as "/v1/heads" or the stream it pulls; with
    `old`, /v1/heads goes to a path this bureau has no route for, and its real 404 comes back, as
    from a bureau that predates /v1/heads."""

    def __init__(self, old: bool = False):
        super().__init__()
        self.old, self.sent = old, Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.sent[request.url.params.get("stream") if path == "/v1/pull" else path] += 1
        if self.old and path == "/v1/heads":
            request.url = request.url.copy_with(path="/v1/heads-not-yet")
        return super().handle_request(request)

    def take(self) -> Counter:
        sent, self.sent = self.sent, Counter()
        return sent


@pytest.fixture
def settings(settings):
    with write():
        Site.create(code=SITE, name="本站")
    return settings


def cycle(settings, bureau: Bureau) -> dict:
    done = pull_all(bureau, Here(settings.site.code, settings.kiosk.id, datetime.now()))
    assert not [s for s, d in done.items() if isinstance(d, Exception)], done
    return done


def test_an_idle_cycle_is_one_request_and_a_change_pulls_its_stream_only(settings):
    admin.add_site("UNI-002", "老年大学")
    counting = Counting()
    bureau = Bureau(settings, transport=counting)
    try:
        cycle(settings, bureau)  # the first: no handle here yet, every stream
        assert counting.take() == Counter({"/v1/heads": 1, **dict.fromkeys(STREAMS, 1)})
        idle = cycle(settings, bureau)
        assert counting.take() == Counter({"/v1/heads": 1})
        assert all(d.pages == 0 and d.applied == 0 for d in idle.values())
        assert {s: d.cursor for s, d in idle.items()} == {s: state.get_int(f"cursor:{s}") for s in STREAMS}

        talk = publish.publish_activity("健康讲座", "2030-05-06 14:00", "2030-05-06 15:30", site=SITE)
        done = cycle(settings, bureau)
        assert counting.take() == Counter({"/v1/heads": 1, "items": 1}) and done["items"].applied == 1
        assert Activity.get(Activity.bureau_key == f"activity:{talk}").title == "健康讲座"
        # Another site's activity moves the head too: pulled once, nothing applied, then idle again.
        publish.publish_activity("书法展", "2030-05-07 14:00", "2030-05-07 15:00", site="UNI-002")
        assert cycle(settings, bureau)["items"].applied == 0
        assert counting.take() == Counter({"/v1/heads": 1, "items": 1})
        cycle(settings, bureau)
        assert counting.take() == Counter({"/v1/heads": 1})

        # A rebuilt stream (a new handle, head unchanged): a 410, then fetched again.
        publish.set_rule("lesson", 3)
        cycle(settings, bureau)
        counting.take()
        publish.reset("rules")
        done = cycle(settings, bureau)
        assert counting.take() == Counter({"/v1/heads": 1, "rules": 2}) and done["rules"].refetched
        assert PointsRule.get(PointsRule.category == "lesson").points == 3

        # A refetch flagged as under way (a crash mid-way) is pulled whatever the heads say, and ended.
        with write():
            state.put(**{"refetch:sites": 1})
        cycle(settings, bureau)
        assert counting.take() == Counter({"/v1/heads": 1, "sites": 1}) and not state.get("refetch:sites")
    finally:
        bureau.close()


def test_an_older_bureau_without_heads_gets_every_stream_pulled_each_cycle(settings):
    counting = Counting(old=True)
    bureau = Bureau(settings, transport=counting)
    try:
        for _ in range(2):
            cycle(settings, bureau)
            assert state.get("last_pull_ok")
            assert counting.take() == Counter({"/v1/heads": 1, **dict.fromkeys(STREAMS, 1)})
        publish.set_rule("party", 7)
        cycle(settings, bureau)
        assert PointsRule.get(PointsRule.category == "party").points == 7
    finally:
        bureau.close()
