"""台账: an organisation's year — the meetings it held, who came, its roster, a summary.

A meeting is an activity of the organisation (Activity.organisation) in the year that has started
by `now` and was not cancelled.  Who came is read from Attendance as bureau/programme/activities.py
roll() reads it: a sign-in of kind "activity" with the activity's title and start, at the
activity's site (at any site, for an activity of every site).  Each sign-in is a member's when the
member number was on the roster on the meeting's day (rosters.members_of: a leaver counts for the
meetings before they left), else another's (a guest, a member of another branch).  A meeting's
attendance rate is its members who came over its members; the year's is the mean of its meetings'
(those with members).
"""

from dataclasses import dataclass
from datetime import date, datetime

from bureau.models import Activity, Attendance, Organisation, OrgMember
from bureau.organisations.rosters import members_of, served


@dataclass(frozen=True)
class Meeting:
    activity: Activity
    members: int  # on the roster that day
    came: list[tuple[str, datetime]]  # members who signed in: (member no, when)
    others: list[tuple[str, datetime]]  # everyone else who signed in

    @property
    def rate(self) -> float | None:
        return len(self.came) / self.members if self.members else None


@dataclass(frozen=True)
class Ledger:
    org: Organisation
    year: int
    meetings: list[Meeting]
    roster: list[tuple[OrgMember, int]]  # a row of each who served in the year, with meetings attended

    @property
    def rate(self) -> float | None:
        """The mean attendance rate of the year's meetings that had members."""
        rates = [m.rate for m in self.meetings if m.rate is not None]
        return sum(rates) / len(rates) if rates else None

    @property
    def party_days(self) -> int:
        return sum(1 for m in self.meetings if m.activity.category == "party_day")

    @property
    def attendances(self) -> int:
        """Sign-ins of members at the year's meetings."""
        return sum(len(m.came) for m in self.meetings)


def ledger(org: Organisation, year: int, now: datetime) -> Ledger:
    first, last = date(year, 1, 1), date(year, 12, 31)
    held = (
        Activity.select()
        .where(
            Activity.organisation == org,
            Activity.start >= datetime(year, 1, 1),
            Activity.start < datetime(year + 1, 1, 1),
            Activity.start <= now,
            Activity.cancelled_at.is_null(),
        )
        .order_by(Activity.start, Activity.id)
    )
    meetings = [_meeting(org, activity) for activity in held]
    rows = served(org, first, last)
    attended = {row.member_no: 0 for row in rows}
    for meeting in meetings:
        for no, _ in meeting.came:
            if no in attended:
                attended[no] += 1
    return Ledger(org, year, meetings, [(row, attended[row.member_no]) for row in rows])


def _meeting(org: Organisation, activity: Activity) -> Meeting:
    query = Attendance.select(Attendance.member_no, Attendance.at).where(
        Attendance.kind == "activity",
        Attendance.title == activity.title,
        Attendance.start == activity.start,
    )
    if activity.site_id is not None:
        query = query.where(Attendance.site == activity.site_id)
    roster = members_of(org, activity.start.date())
    came, others, seen = [], [], set()
    for a in query.order_by(Attendance.at, Attendance.member_no):
        if a.member_no in seen:  # one sign-in a person counts, should two kiosks have one each
            continue
        seen.add(a.member_no)
        (came if a.member_no in roster else others).append((a.member_no, a.at))
    return Meeting(activity, len(roster), came, others)
