"""/web/audit (bureau/console/audit_page.py): the trail, scoped to what each account may see, its
filters and its .xlsx; and the operator's publishing commands writing entries too."""

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from bureau import admin, audit
from bureau.console.base import Viewer
from bureau.models import AuditEntry, WebSession
from bureau.store import write

from ..conftest import SITE, cli
from .signed_in import SignedIn, account


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only (the trail's query runs on both stores in test_audit_query.py)."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


OTHER = "DEMO-002"


def note(username: str, action: str, site, at: datetime, target: str = "x") -> AuditEntry:
    with write():
        entry = audit.record(username, action, target, site, {"n": 1}, "因为")
        AuditEntry.update(at=at).where(AuditEntry.id == entry.id).execute()
    return AuditEntry.get_by_id(entry.id)


def viewer_of(user) -> Viewer:
    return Viewer(user, WebSession(user=user))


def test_the_audit_page_scoped_filtered_and_exported(server, kiosk):
    other = admin.add_site(OTHER, "东城街道长者服务站")
    account("listaff", "staff", kiosk.site)
    account("wangadmin", "admin")
    now = datetime.utcnow()
    mine = note("listaff", "notice.publish", kiosk.site, now, "本站通知")
    theirs = note("liuother", "notice.publish", other, now, "别站通知")
    for i in range(55):
        note("wangadmin", "rule.set", None, now - timedelta(minutes=i + 1), f"规则{i}")

    staff = SignedIn(server.url, "listaff")
    page = staff.get("/web/audit")
    assert page.status_code == 200 and "本站通知" in page.text
    assert "别站通知" not in page.text and "规则0" not in page.text
    assert staff.get("/web/audit", site=OTHER).status_code == 404  # by ?site=
    assert staff.get(f"/web/audit/{theirs.id}").status_code == 404  # by its number
    assert staff.get(f"/web/audit/{mine.id}").status_code == 200
    assert staff.get("/web/audit.xlsx", site=OTHER).status_code == 404

    boss = SignedIn(server.url, "wangadmin")
    first = boss.get("/web/audit").text
    total = AuditEntry.select().count()  # the 57 here and the two accounts' making
    assert total == 59 and f"共 {total} 条" in first and "第 1/2 页" in first and "下一页" in first
    assert "别站通知" in boss.get("/web/audit", site=OTHER).text
    assert "共 55 条" in boss.get("/web/audit", action="rule.set", user="wangadmin").text
    assert boss.get("/web/audit", page="2").text.count("data-entry=") == 9
    assert boss.get("/web/audit", **{"from": "2026-13-01"}).status_code == 400
    download = boss.get("/web/audit.xlsx", action="notice.publish")
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "操作人", "站点", "操作", "对象")
    assert sorted(r[4] for r in rows[1:]) == ["别站通知", "本站通知"]
    staff.close()
    boss.close()


def test_the_operators_publishing_commands_are_audited(store, store_url, tmp_path, kiosk):
    def run(*args: str) -> str:
        done = cli(store_url, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("rules", "set", "lesson", "--points", "2")
    run("settings", "set", "--site", SITE, "sync.pull_every_s=120")
    run("settings", "set", "--kiosk", kiosk.kiosk_id, "display.mask_names=false")
    activity = ["--title", "重阳节游园", "--start", "2026-10-18 09:00", "--end", "2026-10-18 11:30", "--site", SITE]
    key = run("activity", "publish", *activity).strip()
    run("activity", "withdraw", key)
    term = ["--term-name", "2026 秋季", "--term-start", "2026-09-01", "--term-end", "2027-01-15"]
    run("course", "publish", "--site", SITE, "--title", "太极拳（二）班", *term, "--weekly", "1 09:00-11:00")
    trail = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [e.action for e in trail] == [
        "rule.set",
        "settings.set",
        "settings.set",
        "activity.create",
        "activity.cancel",
        "term.create",
        "course.create",
    ]
    assert all(e.username.startswith("cli:") for e in trail)
    assert [e.site.code if e.site else None for e in trail] == [None, SITE, SITE, SITE, SITE, SITE, SITE]
    assert trail[0].target == "lesson" and '"points": 2' in trail[0].detail
    assert trail[3].target == "重阳节游园"
