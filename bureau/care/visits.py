"""The visit log (走访记录): who visited or called a member, when, why, how it went, and what must
follow; a follow-up marked done.  A visit takes the member off the care lists whose rule it meets
(bureau/care/lists.py reads `last_visit`).  A hospital visit changes nothing of the situation:
recording 出院 is an edit of the situation (bureau/care/situation.py).

Visits are as sensitive as the situation: the same accounts see them (situation.may_see).  Every
function that changes runs inside the caller's store.write() and audits itself, without the
outcome's or the follow-up's text.
"""

from dataclasses import dataclass
from datetime import date, datetime

from peewee import fn

from bureau import audit
from bureau.care.situation import NAME_MAX, CareError
from bureau.models import VISIT_KINDS, Attendance, Member, Visit

KINDS = {"visit": "上门走访", "call": "电话问候", "hospital": "医院探望"}
assert KINDS.keys() == set(VISIT_KINDS)
# The care lists a visit may answer (bureau/care/lists.py), "" none in particular.
REASONS = {
    "": "日常关怀",
    "absent": "久未到",
    "birthday": "生日",
    "ninety": "九十岁以上",
    "festival": "节日慰问",
    "alone": "独居/困难",
    "hospital": "出院",
}
OUTCOME_MAX, FOLLOW_UP_MAX = 1000, 500
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Entry:
    """A visit as the form says it."""

    kind: str
    day: date
    visitor: str
    reason: str = ""
    outcome: str = ""
    follow_up: str = ""


def check(entry: Entry, today: date) -> Entry:
    entry = Entry(
        entry.kind, entry.day, entry.visitor.strip(), entry.reason, entry.outcome.strip(), entry.follow_up.strip()
    )
    if entry.kind not in KINDS:
        raise CareError(f"走访方式只能是{'、'.join(KINDS.values())}。")
    if entry.reason not in REASONS:
        raise CareError(f"没有「{entry.reason}」这份关怀名单。")
    if entry.day > today:
        raise CareError(f"走访日期 {entry.day} 还没到：请在走访之后再记录。")
    if entry.day < EARLIEST:
        raise CareError(f"走访日期 {entry.day} 太早了。")
    if not entry.visitor:
        raise CareError("请填写走访人。")
    if len(entry.visitor) > NAME_MAX:
        raise CareError(f"走访人太长了：最多 {NAME_MAX} 个字。")
    if len(entry.outcome) > OUTCOME_MAX or len(entry.follow_up) > FOLLOW_UP_MAX:
        raise CareError(f"太长了：情况最多 {OUTCOME_MAX} 个字，后续跟进最多 {FOLLOW_UP_MAX} 个字。")
    return entry


def record(member: Member, entry: Entry, username: str, today: date) -> Visit:
    """One visit or call to `member`, audited (kind, day and reason; never what was said)."""
    entry = check(entry, today)
    visit = Visit.create(
        member_no=member.member_no,
        site=member.site_id,
        day=entry.day,
        kind=entry.kind,
        visitor=entry.visitor,
        reason=entry.reason,
        outcome=entry.outcome,
        follow_up=entry.follow_up,
        recorded_by=username,
    )
    detail = {"id": visit.id, "kind": entry.kind, "day": entry.day, "reason": entry.reason}
    audit.record(username, "care.visit", member.member_no, member.site, {**detail, "follow_up": bool(entry.follow_up)})
    return visit


def follow_up_done(member: Member, visit_id: int, username: str, today: date) -> Visit:
    """The follow-up of one of `member`'s visits marked done today, audited."""
    visit = Visit.get_or_none((Visit.id == visit_id) & (Visit.member_no == member.member_no))
    if visit is None:
        raise CareError("没有这条走访记录。")
    if not visit.follow_up or visit.follow_up_done is not None:
        raise CareError("这条走访记录没有待跟进的事。")
    Visit.update(follow_up_done=today).where(Visit.id == visit.id).execute()
    audit.record(username, "care.follow_up", member.member_no, member.site, {"id": visit.id, "done": today})
    return Visit.get_by_id(visit.id)


def of_member(member_no: str) -> list[Visit]:
    """A member's visits, newest first."""
    return list(Visit.select().where(Visit.member_no == member_no).order_by(Visit.day.desc(), Visit.id.desc()))


def last_visit(member_nos: list[str]) -> dict[str, date]:
    """The day of each member's latest visit or call (members never visited are left out), in one query."""
    return {no: _day(last) for no, last in _latest(Visit.day, member_nos).items()}


def last_signins(member_nos: list[str]) -> dict[str, datetime]:
    """When each member last signed in at a kiosk (local time; never signed in: left out), in one query."""
    return {no: _moment(last) for no, last in _latest(Attendance.at, member_nos).items()}


def _latest(column, member_nos: list[str]) -> dict:
    """The greatest `column` of each member's rows (of Visit or Attendance), by member_no."""
    if not member_nos:
        return {}
    model = column.model
    query = (
        model.select(model.member_no, fn.MAX(column).alias("last"))
        .where(model.member_no.in_(member_nos))
        .group_by(model.member_no)
    )
    return {row.member_no: row.last for row in query}


def came(signed_in: datetime | None, visited: date | None) -> bool:
    """「来过了」: the member signed in at a kiosk after the day of their last visit (today too), or
    ever when never visited.  A visit recorded on the day of the sign-in answers it: the day is all
    a visit records.  Only the console says so: the kiosk greets them as anyone."""
    return signed_in is not None and (visited is None or signed_in.date() > visited)


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _day(value) -> date:
    """An aggregate's date (SQLite gives the text back)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
