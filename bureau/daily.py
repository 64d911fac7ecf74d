"""Sign-ins per site and business day (DailyAttendance): what the charts and the hierarchy's
monthly figures sum, so that a year of every site reads ~15,000 rows, not ~400,000 sign-ins.

The rules keep it: each round adds the sign-ins it inserted (not those already stored: a fact
pushed twice counts once) in the transaction that inserts them (bureau/rules/rounds.py).  A late
sign-in adds to its own, past, day.  Merging a member moves sign-ins to another member, never to
another site or day, so it changes nothing here.  Migration 0008 filled it from the sign-ins
stored before; recount() does the same for a store filled around the rules (the bench's COPY of
its dataset, test data).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from peewee import EXCLUDED, SQL, fn

from bureau.models import Attendance, DailyAttendance


def add(inserted: Iterable[tuple[int, date | str]]) -> None:
    """Count sign-ins just inserted, given as their (site id, business day), into their days."""
    counts = Counter(inserted)
    rows = [{"site": site, "day": day, "signins": n} for (site, day), n in counts.items()]
    for i in range(0, len(rows), 500):
        DailyAttendance.insert_many(rows[i : i + 500]).on_conflict(
            conflict_target=[DailyAttendance.site, DailyAttendance.day],
            update={DailyAttendance.signins: DailyAttendance.signins + EXCLUDED.signins},
        ).execute()


def recount() -> None:
    """Every day counted again from Attendance (in the caller's transaction)."""
    DailyAttendance.delete().execute()
    per_day = Attendance.select(Attendance.site, Attendance.business_day, fn.COUNT(SQL("*"))).group_by(
        Attendance.site, Attendance.business_day
    )
    DailyAttendance.insert_from(per_day, [DailyAttendance.site, DailyAttendance.day, DailyAttendance.signins]).execute()
