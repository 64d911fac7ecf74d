"""A member's points: their balance and their passbook, one page of the ledger at a time — the
same entries for the senior's 我的积分 and for staff, who also see who entered each one and
whether it was reversed (docs/design.md §4.5).

The ledger is append-only; a balance is the bureau's confirmed balance plus this kiosk's
provisional entries.
"""

from dataclasses import dataclass
from datetime import date, datetime

from kiosk.store.db import db, get_by
from kiosk.store.models import Member, PointsEntry


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    kind: str  # lesson, activity, party, volunteer, redeem, correction, reversal
    title: str  # what for: the course or activity of a sign-in award, else the note
    amount: int  # signed
    provisional: bool  # not yet confirmed by the bureau
    staff: str  # who entered it at a kiosk; "" for sign-in awards, the command line, the bureau
    reversed: bool  # a correction has reversed it
    correction: bool  # it is itself a correction
    minutes: int | None = None  # volunteer service: its time, when known

    @property
    def reversible(self) -> bool:
        return not (self.reversed or self.correction)


@dataclass(frozen=True)
class Passbook:
    balance: int
    entries: tuple[Entry, ...]  # this page, newest first
    page: int  # 0-based, clamped to the last page
    pages: int  # at least 1
    total: int  # number of entries
    # The points the balance holds without passbook rows (a demo member's or the bureau's opening
    # balance, entries made before this kiosk had them); shown as the oldest row, on the last page
    # only, so the rows always add up to the balance.  0 when the rows explain it all.
    opening: int = 0


def balance(member: Member) -> int:
    """The bureau's confirmed balance plus this kiosk's provisional entries."""
    provisional = db.execute_sql(_PROVISIONAL, (member.id,)).fetchone()[0]
    return member.points_confirmed + provisional


def passbook(member_no: str, page: int = 0, per_page: int = 5, with_opening: bool = False) -> Passbook:
    """One page of the member's ledger, newest first, with their balance; `with_opening`: the
    opening row (Passbook.opening) takes a place after the oldest entry."""
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, not {per_page}")
    member = get_by(Member, "member_no", member_no)
    if member is None:
        raise KeyError(member_no)
    total, provisional, summed = db.execute_sql(_HEAD, (member.id, member.id, member.id)).fetchone()
    opening = member.points_confirmed + provisional - summed if with_opening else 0
    pages = max(1, -(-(total + (opening != 0)) // per_page))
    page = min(max(page, 0), pages - 1)
    when = PointsEntry.at.python_value
    entries = tuple(
        Entry(
            id,
            when(at),
            kind,
            title or "",
            amount,
            status == "provisional",
            staff or "",
            bool(reversed_),
            is_correction(kind, reverses),
            minutes,
        )
        for id, at, kind, amount, title, staff, reversed_, reverses, status, minutes in db.execute_sql(
            _PAGE, (member.id, per_page, page * per_page)
        )
    )
    last = page == pages - 1
    return Passbook(member.points_confirmed + provisional, entries, page, pages, total, opening if last else 0)


def volunteer_minutes(member_no: str, year: int) -> int:
    """The member's volunteer service in `year`, in minutes: the entries whose time is known (the
    hours staff entered, or the bureau's), less those a correction reversed."""
    # Times are kept as ISO text: a year's entries sort between the two new years' days.
    start, end = date(year, 1, 1).isoformat(), date(year + 1, 1, 1).isoformat()
    return db.execute_sql(_VOLUNTEER, (member_no, start, end)).fetchone()[0]


def is_correction(kind: str, reverses_id: int | None) -> bool:
    """Whether an entry puts another right: one made here (it reverses an entry) or by the bureau."""
    return reverses_id is not None or kind in ("correction", "reversal")


# SQL text, not peewee expressions: the passbook is read each time a card is read on 我的积分,
# where building a query costs more than running it (bench/selfservice.py).  The page's rows are
# found in the (member_id, at) index alone, so a deep OFFSET skips index entries rather than
# joining rows it throws away; only the page's rows are joined for titles, staff and reversals.
_PROVISIONAL = """
    SELECT coalesce(sum(amount), 0) FROM points_entry WHERE member_id = ? AND status = 'provisional'"""
_HEAD = f"""SELECT (SELECT count(*) FROM points_entry WHERE member_id = ?), ({_PROVISIONAL}),
    (SELECT coalesce(sum(amount), 0) FROM points_entry WHERE member_id = ?)"""
_PAGE = """
    SELECT p.id, p.at, p.kind, p.amount,
           CASE WHEN p.signin_id IS NULL THEN p.note ELSE coalesce(c.name, a.title) END,
           st.name, EXISTS (SELECT 1 FROM points_entry r WHERE r.member_id = p.member_id AND r.reverses_id = p.id),
           p.reverses_id, p.status, p.minutes
    FROM (SELECT id FROM points_entry WHERE member_id = ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?) page
    JOIN points_entry p ON p.id = page.id
    LEFT JOIN staff st ON st.id = p.staff_id
    LEFT JOIN sign_in s ON s.id = p.signin_id
    LEFT JOIN lesson l ON l.id = s.lesson_id
    LEFT JOIN course c ON c.id = l.course_id
    LEFT JOIN activity a ON a.id = s.activity_id
    ORDER BY p.at DESC, p.id DESC"""
# A year's volunteer time (points_entry_member_id_at); a reversed entry is not counted.
_VOLUNTEER = """
    SELECT coalesce(sum(p.minutes), 0) FROM member m JOIN points_entry p ON p.member_id = m.id
    WHERE m.member_no = ? AND p.kind = 'volunteer' AND p.at >= ? AND p.at < ?
      AND NOT EXISTS (SELECT 1 FROM points_entry r WHERE r.member_id = p.member_id AND r.reverses_id = p.id)"""
