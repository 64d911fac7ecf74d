"""The audit trail's query (bureau/console/audit_page.entries) on both stores: its scope and filters."""

from datetime import UTC, datetime, timedelta

from bureau import admin
from bureau.console.audit_page import Filters, entries

from .signed_in import account
from .test_audit import OTHER, note, viewer_of


def test_a_centers_staff_see_only_their_own_sites_entries(store, kiosk):
    """On both stores: the scope and the filters of the trail's query."""
    other = admin.add_site(OTHER, "东城街道长者服务站")
    staff = account("listaff", "staff", kiosk.site)
    boss = account("wangadmin", "admin")
    noon = datetime(2031, 5, 20, 4, 0)  # UTC, after the accounts' own entries
    mine = note("listaff", "notice.publish", kiosk.site, noon)
    theirs = note("liuother", "notice.publish", other, noon)
    everyone = note("wangadmin", "rule.set", None, noon + timedelta(days=1))
    nobody = Filters(None, "", "", None, None)

    seen = [e.target for e in entries(viewer_of(staff), nobody)]
    assert mine.id in [e.id for e in entries(viewer_of(staff), nobody)]
    assert theirs.id not in [e.id for e in entries(viewer_of(staff), nobody)]
    assert everyone.id not in [e.id for e in entries(viewer_of(staff), nobody)]
    assert "listaff" in seen  # the account's own making, of its site
    all_ids = [e.id for e in entries(viewer_of(boss), nobody)]
    assert {mine.id, theirs.id, everyone.id} <= set(all_ids)
    assert all_ids[0] == everyone.id  # newest first

    def ids(**chosen) -> list[int]:
        return [e.id for e in entries(viewer_of(boss), Filters(**{**nobody.__dict__, **chosen}))]

    assert ids(site=other) == [theirs.id]
    assert ids(username="wangadmin", action="rule.set") == [everyone.id]
    local = everyone.at.replace(tzinfo=UTC).astimezone().date()  # the day of the bureau's clock
    assert everyone.id in ids(start=local - timedelta(days=1), end=local + timedelta(days=1))
    assert ids(start=local + timedelta(days=1)) == []
    assert ids(end=local - timedelta(days=2)) == [e.id for e in entries(viewer_of(boss), nobody)][3:]
