"""The 台账 of an organisation's year on both stores, from Attendance rows as the rules file a
kiosk's sign-ins: members and others, a leaver and a newcomer, a cancelled meeting, another site."""

from datetime import date, datetime, timedelta

from bureau import admin
from bureau.models import Attendance, Member
from bureau.organisations import orgs, rosters
from bureau.organisations.ledger import ledger
from bureau.organisations.orgs import Fields
from bureau.programme import activities
from bureau.programme.activities import Draft
from bureau.store import write


def signed_in(kiosk, member_no: str, activity, minutes_early: int = 5) -> None:
    """A sign-in as bureau.rules files a kiosk's "signin" fact: known by site, title and start."""
    at = activity.start - timedelta(minutes=minutes_early)
    Attendance.create(
        event_id=f"{kiosk.kiosk_id}-{member_no}-{activity.start:%Y%m%d%H%M}-{activity.title}",
        member_no=member_no,
        site=kiosk.site,
        kiosk=kiosk,
        kind="activity",
        title=activity.title,
        start=activity.start,
        at=at,
        business_day=at.date(),
        method="qr",
    )


def test_a_years_ledger_counts_members_by_the_roster_of_each_meetings_day(store, kiosk):
    site = kiosk.site
    other = admin.add_site("UNI-002", "老年大学", prefix="UN")
    elsewhere = admin.add_kiosk("UNI-002", "front desk")
    for no, name, where in (("DM0001", "王建华", site), ("DM0002", "李秀英", site), ("DM0003", "张志强", site)):
        Member.create(member_no=no, name=name, site=where)
    Member.create(member_no="UN0001", name="刘桂兰", site=other)

    def meeting(title: str, start: datetime, category: str = "activity", org=None):
        draft = Draft(title, start, start + timedelta(hours=2), category, "三楼党员活动室", organisation_id=org)
        return activities.create(draft, [site], "staffa")[0]

    with write():
        branch = orgs.create("branch", site, Fields("第一党支部"), "staffa")
        rosters.join(branch, "DM0001", "书记", date(2025, 1, 1), "staffa")
        rosters.join(branch, "DM0002", "党员", date(2025, 1, 1), "staffa")
        rosters.join(branch, "DM0003", "党员", date(2025, 7, 1), "staffa")
        rosters.leave(branch, "DM0002", date(2025, 6, 30), "staffa")
        march = meeting("三月主题党日", datetime(2025, 3, 1, 9, 0), "party_day", branch.id)
        august = meeting("八月组织生活会", datetime(2025, 8, 1, 14, 0), org=branch.id)
        may = meeting("五月主题党日", datetime(2025, 5, 1, 9, 0), "party_day", branch.id)
        activities.cancel(may, "下雨", "staffa", datetime(2025, 4, 30, 8, 0))
        late = meeting("年终总结会", datetime(2025, 12, 31, 15, 0), org=branch.id)  # not started by `now`
        meeting("新年团拜会", datetime(2026, 1, 5, 9, 0), org=branch.id)  # next year's
        walk = meeting("三月主题党日", datetime(2025, 3, 1, 9, 0))  # same title and time, no organisation
    for no in ("DM0001", "DM0002", "UN0001"):  # a guest of another site signs in here
        signed_in(kiosk, no, march)
    signed_in(elsewhere, "DM0003", march)  # at another site: not this meeting's
    signed_in(kiosk, "DM0002", august)  # left in June: another now
    signed_in(kiosk, "DM0003", august)  # joined in July: a member
    signed_in(kiosk, "DM0001", may)  # cancelled: no meeting
    signed_in(kiosk, "DM0001", late)
    assert walk.organisation_id is None

    book = ledger(branch, 2025, datetime(2025, 12, 31, 10, 0))
    assert [(m.activity.title, m.members, m.came, m.others) for m in book.meetings] == [
        (
            "三月主题党日",
            2,
            [("DM0001", datetime(2025, 3, 1, 8, 55)), ("DM0002", datetime(2025, 3, 1, 8, 55))],
            [("UN0001", datetime(2025, 3, 1, 8, 55))],
        ),
        ("八月组织生活会", 2, [("DM0003", datetime(2025, 8, 1, 13, 55))], [("DM0002", datetime(2025, 8, 1, 13, 55))]),
    ]
    assert [m.rate for m in book.meetings] == [1.0, 0.5]
    assert (len(book.meetings), book.party_days, book.attendances, book.rate) == (2, 1, 3, 0.75)
    assert [(r.member_no, r.role, r.until, n) for r, n in book.roster] == [
        ("DM0001", "书记", None, 1),
        ("DM0002", "党员", date(2025, 6, 30), 1),
        ("DM0003", "党员", None, 1),
    ]
    # The year before: no meetings, no one on the roster; the year after: the leaver is gone.
    before = ledger(branch, 2024, datetime(2025, 12, 31, 10, 0))
    assert (before.meetings, before.roster, before.rate) == ([], [], None)
    after = ledger(branch, 2026, datetime(2026, 2, 1))
    assert [r.member_no for r, _ in after.roster] == ["DM0001", "DM0003"]
    assert [(m.activity.title, m.members, m.came) for m in after.meetings] == [("新年团拜会", 2, [])]
