"""A kiosk offline for a month, and beyond the bureau's retention (docs/sync-protocol.md §12: F7), on both
stores with a real bureau process: the month's backlog goes up in ONE sync with nothing lost or
doubled (I1, I2), every sign-in filed under its own day; the bureau meanwhile deleted things
and forgot those deletions (streams trim), so the kiosk's next pull is refused (410) for exactly
those streams, which it fetches again and alone — what the bureau no longer has is gone here
too — while its outbox stays byte for byte as it was; then its copy and balances are the
bureau's (I3) and the ledger sums (I4).  The 30,000-fact backlog is the bench's (bench/)."""

import math
from datetime import datetime, timedelta

from bureau import admin, publish, rules, streams
from bureau.models import Attendance, StreamRow
from bureau.models import Member as BureauMember
from bureau.programme import notices
from bureau.store import utcnow
from bureau.store import write as bureau_write
from kiosk.points import passbook
from kiosk.store.db import db as kiosk_db
from kiosk.store.models import Activity, BureauSetting, Member, Notice
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.pull import pull_all
from kiosk.sync.push import backlog, push_all

from .conftest import SITE
from .faults import check_i1, check_i2, check_i3, check_i4, kiosk_db_file, offline_month, open_kiosk

DAYS, MEMBERS = 30, 30  # 30 seniors every day for a month: 1,830 facts
BATCH = 500
TRIMMED = {"items", "settings"}  # the streams whose deletions the bureau forgot meanwhile


def outbox_rows(data) -> list[tuple]:
    with kiosk_db_file(data) as con:
        return con.execute("SELECT * FROM outbox ORDER BY seq").fetchall()


def test_a_month_offline_drains_in_one_sync_and_only_the_trimmed_streams_are_fetched_again(server, kiosk, tmp_path):
    settings = open_kiosk(tmp_path, kiosk, server.url, batch=BATCH)
    data = settings.kiosk.data_dir
    bureau = Bureau(settings)
    here = Here(settings.site.code, settings.kiosk.id, datetime.now())
    try:
        # Online: the bureau publishes, the kiosk copies it all.
        publish.set_rule("activity", 2)
        kept = publish.publish_activity("重阳节游园", "2026-12-20 09:00", "2026-12-20 11:30", site=SITE)
        gone = publish.publish_activity("旧讲座", "2026-12-21 09:00", "2026-12-21 11:00", site=SITE)
        publish.set_settings(["display.mask_names=false"], site=SITE)
        with bureau_write():
            start = datetime.now().replace(microsecond=0)
            site = admin.find_site(SITE)
            notice = notices.publish(site, "notice", "本周停电检修", "", start, start + timedelta(days=60), "staff")
        assert not [s for s, p in pull_all(bureau, here).items() if isinstance(p, Exception)]
        cursors = {
            s: int(v)
            for s, v in kiosk_db.execute_sql(
                "SELECT substr(key, 8), value FROM sync_state WHERE key LIKE 'cursor:%'"
            ).fetchall()
        }
        assert Activity.get(Activity.bureau_key == f"activity:{gone}").cancelled is False

        # Offline for a month: the kiosk signs seniors in; the bureau cancels an activity, withdraws
        # a notice, drops the site's settings and publishes anew, and half a year on forgets those
        # deletions.
        written = offline_month(settings, MEMBERS, DAYS, datetime.now())
        assert len(written) == MEMBERS * (1 + 2 * DAYS)
        publish.withdraw_activity(gone)
        fresh = publish.publish_activity("新年联欢", "2027-01-01 09:00", "2027-01-01 11:00", site=SITE)
        with bureau_write():
            notices.withdraw(notice, "staff", datetime.now(), "检修改期")
            streams.publish("settings", f"site:{SITE}", None, f"site:{SITE}")
            StreamRow.update(changed_at=utcnow() - streams.RETENTION - timedelta(days=20)).where(
                StreamRow.deleted
            ).execute()
        trimmed = streams.trim()
        assert {s for s, (removed, _) in trimmed.items() if removed} == TRIMMED
        assert all(trimmed[s][1] > cursors[s] for s in TRIMMED)

        # Back online: one sync drains the month.
        pushed = push_all(bureau, BATCH)
        assert len(pushed) == math.ceil(len(written) / BATCH) and backlog() == 0
        assert sum(p.inserted for p in pushed) == len(written)
        check_i1(written, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, data)

        # The pull: 410 for the trimmed streams only, fetched again; the outbox untouched.
        before = outbox_rows(data)
        pulled = pull_all(bureau, Here(settings.site.code, settings.kiosk.id, datetime.now()))
        assert not [s for s, p in pulled.items() if isinstance(p, Exception)], pulled
        assert {s for s, p in pulled.items() if p.refetched} == TRIMMED
        assert outbox_rows(data) == before
        assert Activity.get(Activity.bureau_key == f"activity:{gone}").cancelled is True
        assert Activity.get(Activity.bureau_key == f"activity:{kept}").cancelled is False
        assert Activity.get_or_none(Activity.bureau_key == f"activity:{fresh}") is not None
        assert Notice.get_or_none(Notice.key == notice.key) is None  # its deletion came by the refetch
        assert BureauSetting.get_or_none(BureauSetting.key == f"site:{SITE}") is None

        check_i3(data, kiosk.kiosk_id)
        check_i4()
        bureau_balances = dict(BureauMember.select(BureauMember.member_no, BureauMember.balance).tuples())
        for member in Member.select():
            assert passbook.balance(member) == bureau_balances[member.member_no], member.member_no
        assert set(bureau_balances.values()) == {2 * DAYS}  # every day's award confirmed
    finally:
        bureau.close()
        kiosk_db.close()


def test_a_month_old_backlog_is_filed_under_the_days_it_happened(server, kiosk, tmp_path):
    """A kiosk with a right clock, back after a month: its sign-ins count for their own days,
    though the backlog takes several pushes and most of them carry only facts days old."""
    settings = open_kiosk(tmp_path, kiosk, server.url, batch=50)
    bureau = Bureau(settings)
    try:
        offline_month(settings, 3, DAYS, datetime.now())
        assert len(push_all(bureau, 50)) > 3 and backlog() == 0
        rules.catch_up()
        days = {a.business_day for a in Attendance.select(Attendance.business_day)}
        first = (datetime.now() - timedelta(days=DAYS - 1)).date()
        want = {first + timedelta(days=d) for d in range(DAYS)}
        assert days == want, f"sign-ins filed under other days: none on {sorted(want - days)}"
    finally:
        bureau.close()
        kiosk_db.close()
