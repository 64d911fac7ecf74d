"""The staff page 同步状态 in the real app (Xvfb) with real taps: without a bureau; with a real
bureau (`python -m bureau serve` on a SQLite file) that is down, so the backlog waits, then up,
receiving the backlog on 「立即同步」 and refusing a fact of another site, then stopped (docs/sync-protocol.md §11)."""

from types import SimpleNamespace

import pytest

from bureau import admin
from bureau.models import Event, EventReject
from bureau.schema import open_store
from bureau.store import close_store
from kiosk.i18n import t
from tests.bureau.conftest import SITE, SITE_NAME, free_port
from tests.screens.conftest import rows, run_harness
from tests.screens.scenarios_staff_sync import WRONG_SITE


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """A kiosk registered at a bureau (a SQLite store next to its data dir) that is down when the
    kiosk starts, is started by the scenario, and stopped again (tests/screens/scenarios_staff_sync.py).
    What the page showed, the kiosk's data dir, and what the bureau holds after."""
    folder = tmp_path_factory.mktemp("sync")
    store_url = f"sqlite:///{folder / 'bureau.db'}"
    open_store(store_url)
    try:
        # The demo site's prefix, as README registers a demo kiosk: the bureau takes the demo
        # roster's registrations (DM0001 …) only from a kiosk of the site that numbers them.
        admin.add_site(SITE, SITE_NAME, prefix="DM")
        kiosk = admin.add_kiosk(SITE, "front desk")
        host = f"127.0.0.1:{free_port()}"
        # Facts wait for 立即同步: nothing goes up by itself while the test looks.
        site_file = folder / "kiosk.toml"
        site_file.write_text(
            f'[kiosk]\nid = "{kiosk.kiosk_id}"\n[sync]\nurl = "http://{host}"\n'
            f'key = "{kiosk.key}"\npush_delay_s = 600.0\npull_every_s = 600\n',
            encoding="utf-8",
        )
        obs, data_dir = run_harness("sync_story", folder, config=site_file)
        assert obs["finished"], obs.get("step")
        return SimpleNamespace(
            obs=obs,
            data_dir=data_dir,
            host=host,
            events={str(e.event_id) for e in Event.select(Event.event_id)},
            rejects={str(r.event_id): r.code for r in EventReject.select()},
        )
    finally:
        close_store()


def test_without_a_bureau_the_page_says_so_and_the_button_says_why(tmp_path):
    obs, _ = run_harness("sync_not_configured", tmp_path)
    assert obs["finished"], obs.get("step")
    assert obs["tile"] == t("staff_sync.tile", summary=t("staff_sync.summary.off"))
    shown = obs["shown"]
    assert shown["headline"] == t("staff_sync.headline.off") and shown["state"] == "off"
    assert shown["explain"] == t("staff_sync.explain.off")
    assert shown["button"] == t("staff_sync.now_off") and shown["button_disabled"]
    assert shown["bureau"] == t("staff_sync.bureau_none")
    assert obs["after_tap"] == shown and obs["screen_after_tap"] == "staff_sync"  # the tap did nothing
    assert not obs["staff"] and obs["left_behind"] == []  # idle logout works on this page too
    assert shown["backlog_count"] == shown["pending_in_db"] > 0  # facts still wait, and are counted


def test_sync_now_sends_the_backlog_to_the_bureau_and_says_synced(story):
    obs, data_dir = story.obs, story.data_dir
    before, during, after = obs["online"], obs["online_during"], obs["synced"]
    waiting = before["pending_in_db"]
    assert waiting >= 3  # the sign-in, its points and the fact of another site
    assert before["backlog_count"] == waiting
    assert before["headline"] == t("staff_sync.headline.offline")
    assert not before["button_disabled"] and before["bureau"] == t("staff_sync.bureau", host=story.host)
    assert during["headline"] == t("staff_sync.headline.syncing") and during["button_disabled"]
    assert during["message"] == t("staff_sync.asked")
    assert after["headline"] == t("staff_sync.headline.synced") and after["backlog_count"] == 0
    assert after["backlog"] == t("staff_sync.backlog_none") and after["message"] == ""
    assert after["last_push"] != t("staff_sync.last_push", at=t("staff_sync.never")) and after["detail"] == ""
    sent = rows(data_dir, "SELECT event_id, kind FROM outbox WHERE state = 'acked'")
    assert {"signin", "points"} <= {kind for _, kind in sent}
    assert {event_id for event_id, _ in sent} <= story.events and len(sent) == waiting - 1


def test_a_fact_the_bureau_refuses_is_listed_with_its_reason(story):
    obs, data_dir = story.obs, story.data_dir
    refused = obs["wrong_site_event"]
    assert story.rejects == {refused: "wrong_site"} and refused not in story.events
    ((seq,),) = rows(data_dir, "SELECT seq FROM outbox WHERE state = 'rejected' AND event_id = ?", refused)
    after = obs["synced"]
    assert after["rejected"] == t("staff_sync.rejected_heading", count=1)
    ((shown_seq, _at, kind, code, reason),) = after["rows"]
    assert shown_seq == t("staff_sync.seq", seq=seq)
    assert (kind, code) == (t("staff_sync.kind.signin"), t("staff_sync.code.wrong_site"))
    assert WRONG_SITE in reason
    assert after["explain"] == t("staff_sync.explain.synced_rejected", count=1)
    assert obs["offline"]["rejected"] == t("staff_sync.rejected_none")  # before the bureau said so


def test_while_the_bureau_is_down_the_page_says_it_cannot_connect_and_keeps_the_backlog(story):
    obs = story.obs
    waiting = obs["before"]["pending_in_db"]
    assert waiting >= 3
    assert obs["tile"] == t("staff_sync.tile", summary=t("staff_sync.summary.offline", count=waiting))
    for shown in (obs["before"], obs["offline"]):  # before and after 立即同步
        assert shown["headline"] == t("staff_sync.headline.offline") and shown["state"] == "offline"
        assert shown["explain"] == t("staff_sync.explain.offline", count=waiting)
        assert shown["backlog_count"] == waiting and "ConnectError" in shown["detail"]
        assert shown["backlog"].startswith(t("staff_sync.backlog", count=waiting, at=""))
    assert obs["before_during"]["headline"] == t("staff_sync.headline.syncing")
    # Stopped after the sync: 无法连接 again, with nothing waiting, and the staff home tile says so.
    stopped = obs["stopped"]
    assert stopped["headline"] == t("staff_sync.headline.offline")
    assert stopped["backlog_count"] == stopped["pending_in_db"] == 0
    assert obs["tile_after"] == t("staff_sync.tile", summary=t("staff_sync.summary.offline", count=0))
