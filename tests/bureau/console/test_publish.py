"""/web/publish (bureau/console/publish.py): an admin publishes a points rule and kiosk settings
from the browser, audited, and a kiosk's next pull has them."""

import pytest

from bureau.models import AuditEntry, StreamRow

from ..conftest import SITE
from .signed_in import SignedIn, account


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def pulled(client, stream: str) -> dict:
    done = client.send("GET", f"/v1/pull?stream={stream}&after=0")
    assert done.status_code == 200, done.text
    return {item["id"]: item["data"] for item in done.json()["items"]}


def test_an_admin_publishes_a_rule_and_settings_that_a_kiosk_pulls(server, client, kiosk):
    account("wangadmin", "admin")
    account("zhaoview", "viewer")
    boss = SignedIn(server.url, "wangadmin")
    rule = {"points": "3", "per": "attendance", "daily_cap": "2", "once_per_item": "on", "reason": "冬季鼓励上课"}
    assert boss.post("/web/publish/rules/lesson", rule).status_code == 303
    assert pulled(client, "rules")["lesson"] == {
        "category": "lesson",
        "points": 3,
        "per": "attendance",
        "daily_cap": 2,
        "once_per_item": True,
        "version": 1,
    }

    site_form = {
        "level": f"site:{SITE}",
        "display.mask_names": "false",
        "display.open_from": "07:30",
        "sync.pull_every_s": "",  # left as it is
        "checkin.window_before_min": "20",
        "reason": "早课提前",
    }
    done = boss.post("/web/publish/settings", site_form)
    assert (done.status_code, done.headers["location"]) == (303, f"/web/publish?level=site:{SITE}&done=settings")
    kiosk_form = {"level": f"kiosk:{kiosk.kiosk_id}", "sync.pull_every_s": "30", "reason": "试点"}
    assert boss.post("/web/publish/settings", kiosk_form).status_code == 303
    assert pulled(client, "settings") == {
        f"site:{SITE}": {"display.mask_names": False, "display.open_from": "07:30", "checkin.window_before_min": 20},
        kiosk.kiosk_id: {"sync.pull_every_s": 30},
    }
    trail = [
        (e.username, e.action, e.target, e.reason)
        for e in AuditEntry.select().where(AuditEntry.username == "wangadmin")
    ]
    assert trail == [
        ("wangadmin", "rule.set", "lesson", "冬季鼓励上课"),
        ("wangadmin", "settings.set", f"site:{SITE}", "早课提前"),
        ("wangadmin", "settings.set", kiosk.kiosk_id, "试点"),
    ]
    shown = boss.get("/web/publish", level=f"site:{SITE}").text
    assert 'value="07:30"' in shown and "冬季" not in shown and "每天开始服务" in shown

    # What a kiosk could not use is refused, kindly, and nothing is published.
    rows = StreamRow.select().count()
    bad = boss.post("/web/publish/settings", {"level": "", "sync.pull_every_s": "5", "reason": "x"})
    assert bad.status_code == 400 and "多久取一次更新" in bad.text and "10–86400" in bad.text
    assert boss.post("/web/publish/settings", {"level": "", "reason": "x"}).status_code == 400
    assert (
        boss.post("/web/publish/settings", {"level": "site:NOPE", "sync.pull_every_s": "60", "reason": "x"}).status_code
        == 404
    )
    assert boss.post("/web/publish/rules/lesson", {**rule, "points": "-1"}).status_code == 400
    assert boss.post("/web/publish/rules/nothing", rule).status_code == 400
    assert boss.post("/web/publish/rules/lesson", {**rule, "reason": ""}).status_code == 400
    assert StreamRow.select().count() == rows

    # A viewer reads what is published.
    viewer = SignedIn(server.url, "zhaoview")
    seen = viewer.get("/web/publish").text
    assert 'data-category="lesson"' in seen and "只读账号只能查看" in seen and "07:30" in seen
    boss.close()
    viewer.close()
