"""Points: the rules that award them (data, set by the bureau) and the ledger they go into.

The ledger is append-only; a balance is the bureau's confirmed balance plus this kiosk's
provisional entries (DESIGN §4).
"""
import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.store.db import db, write
from kiosk.store.models import Activity, Member, PointsEntry, PointsRule

log = logging.getLogger(__name__)

CATEGORIES = ("lesson", "activity", "party", "volunteer")
PER = ("attendance", "hour")
_FIELDS = ("category", "points", "per", "daily_cap", "once_per_item")   # of a rule from the bureau

# Activity kinds whose attendance counts under a category of its own.
_ACTIVITY_CATEGORY = {"party_day": "party", "volunteer": "volunteer"}


@dataclass(frozen=True)
class Rule:
    category: str
    points: int            # per attendance, or per hour (per == "hour")
    per: str
    daily_cap: int         # 0 = no cap
    once_per_item: bool
    version: int
    source: str


@dataclass(frozen=True)
class Award:
    """What one attendance earns: `amount` may be 0 (capped, already awarded, or no rule)."""
    category: str
    amount: int
    rule: Rule | None


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str          # lesson, activity, party, volunteer, redeem, correction, reversal
    title: str         # what for: the course name or activity title for sign-in awards, else the note
    amount: int        # signed
    provisional: bool  # not yet confirmed by the bureau


@dataclass(frozen=True)
class Passbook:
    balance: int
    entries: tuple[Entry, ...]   # this page, newest first
    page: int                    # 0-based, clamped to the last page
    pages: int                   # at least 1
    total: int                   # number of entries


# -- the rules ----------------------------------------------------------------------------------

def rules() -> dict[str, Rule]:
    """The rules in force, by category."""
    return {row[0]: _rule(row) for row in db.execute_sql(_RULES)}


def rule(category: str) -> Rule | None:
    row = db.execute_sql(_RULE, (category,)).fetchone()
    return _rule(row) if row else None


def _rule(row: tuple) -> Rule:
    category, points, per, daily_cap, once_per_item, version, source = row
    return Rule(category, points, per, daily_cap, bool(once_per_item), version, source)


def activity_category(activity: Activity) -> str:
    """The points category of an activity: party-branch days and volunteer service have their own."""
    return _ACTIVITY_CATEGORY.get(activity.kind, "activity")


def activity_points(activity: Activity) -> int:
    """What attending `activity` earns before daily caps: its own figure, else its category's rule."""
    if activity.points is not None:
        return activity.points
    found = rule(activity_category(activity))
    return found.points if found else 0


def volunteer_points(hours: float) -> int:
    """Points for `hours` of one day's volunteer service: the rule's points per hour, rounded
    down, and at most the rule's daily cap."""
    if hours < 0:
        raise ValueError(f"hours of volunteer service cannot be negative: {hours}")
    found = rule("volunteer")
    if found is None:
        log.warning("no points rule for volunteer service: it earns nothing")
        return 0
    # round() first, so 0.1-step hours that land a hair under a whole number do not lose a point.
    points = math.floor(round(found.points * hours, 6))
    return min(points, found.daily_cap) if found.daily_cap else points


def replace_rules(rows: list[dict], version: int, now: datetime, source: str = "bureau") -> bool:
    """Put the bureau's rules (rows of category, points, per, daily_cap, once_per_item) in place
    of all current ones.  A version not newer than the current one is ignored (False): sync may
    deliver an old set late.  A bad row raises ValueError and changes nothing."""
    checked = _checked(rows, version)
    with write():
        current = db.execute_sql("SELECT coalesce(max(version), 0) FROM points_rule").fetchone()[0]
        if version <= current:
            log.info("points rules version %s ignored: version %s is in force", version, current)
            return False
        PointsRule.delete().execute()
        PointsRule.insert_many([dict(row, version=version, source=source, updated_at=now)
                                for row in checked]).execute()
    log.info("points rules version %s from %s in force: %s", version, source,
             ", ".join(r["category"] for r in checked))
    return True


def _checked(rows: list[dict], version: int) -> list[dict]:
    if not _count(version):
        raise ValueError(f"points rules version must be a whole number ≥ 0, not {version!r}")
    if not rows:
        # An empty table would also lose the version, and let any older set in after it.
        raise ValueError("no points rules given")
    seen = set()
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"points rule {n}: expected the fields {', '.join(_FIELDS)}, not {row!r}")
        missing = [k for k in _FIELDS if k not in row]
        if missing:
            raise ValueError(f"points rule {n}: missing {', '.join(missing)}")
        problem = _problem(row, seen)
        if problem:
            raise ValueError(f"points rule {n} ({row['category']!r}): {problem}")
        seen.add(row["category"])
    # Only the known fields: a newer bureau may send more than this kiosk understands.
    return [{k: row[k] for k in _FIELDS} for row in rows]


def _problem(row: dict, seen: set[str]) -> str:
    if row["category"] not in CATEGORIES:
        return f"unknown category (known: {', '.join(CATEGORIES)})"
    if row["category"] in seen:
        return "category given twice"
    if row["per"] not in PER:
        return f"per must be attendance or hour, not {row['per']!r}"
    for key in ("points", "daily_cap"):
        if not _count(row[key]):
            return f"{key} must be a whole number ≥ 0, not {row[key]!r}"
    if not isinstance(row["once_per_item"], bool):
        return f"once_per_item must be true or false, not {row['once_per_item']!r}"
    return ""


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# -- awarding -----------------------------------------------------------------------------------

def award(member_id: int, kind: str, item_id: int, now: datetime) -> Award:
    """What attending lesson or activity `item_id` (kind "lesson" or "activity") earns the member
    at `now`, by the rules: the activity's own points or the rule's, none for an item already
    awarded when the rule says once per item, and no more than the rule's daily cap allows.
    Call it in the sign-in's write transaction, before its entry goes in."""
    category, own = "lesson", None
    if kind == "activity":
        activity_kind, own = db.execute_sql(_ACTIVITY, (item_id,)).fetchone()
        category = _ACTIVITY_CATEGORY.get(activity_kind, "activity")
    found = rule(category)
    if found is None:
        log.warning("no points rule for %s: %s %s earns nothing", category, kind, item_id)
        return Award(category, 0, None)
    amount = found.points if own is None else own
    if found.once_per_item and db.execute_sql(_AWARDED[kind], (member_id, item_id, category)).fetchone():
        amount = 0
    if found.daily_cap:
        earned = db.execute_sql(_EARNED_ON, (member_id, category, *_day(now.date()))).fetchone()[0]
        amount = max(0, min(amount, found.daily_cap - earned))
    return Award(category, amount, found)


def _day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


# -- the ledger ---------------------------------------------------------------------------------

def balance(member: Member) -> int:
    """The bureau's confirmed balance plus this kiosk's provisional entries (DESIGN §4)."""
    provisional = db.execute_sql(_PROVISIONAL, (member.id,)).fetchone()[0]
    return member.points_confirmed + provisional


def passbook(member: Member, page: int = 0, per_page: int = 5) -> Passbook:
    """One page of the member's ledger, newest first, with their balance."""
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, not {per_page}")
    total, provisional = db.execute_sql(_HEAD, (member.id, member.id)).fetchone()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    when = PointsEntry.at.python_value
    rows = db.execute_sql(_PAGE, (member.id, per_page, page * per_page))
    entries = tuple(Entry(when(at), kind, title or "", amount, status == "provisional")
                    for at, kind, title, amount, status in rows)
    return Passbook(member.points_confirmed + provisional, entries, page, pages, total)


# SQL text, not peewee expressions: these run on the sign-in path and when a card is read for the
# passbook, where building a query costs more than running it (see kiosk/checkin/signin.py).  Each uses
# an index (EXPLAIN QUERY PLAN): points_rule_category, points_entry_member_id_at, ..._status,
# sign_in_member_id_lesson_id / _activity_id and points_entry_signin_id.
_RULES = """SELECT category, points, per, daily_cap, once_per_item, version, source FROM points_rule"""
_RULE = _RULES + " WHERE category = ?"
_ACTIVITY = "SELECT kind, points FROM activity WHERE id = ?"
_AWARDED = {kind: f"""
    SELECT 1 FROM sign_in s JOIN points_entry p ON p.signin_id = s.id
    WHERE s.member_id = ? AND s.{kind}_id = ? AND p.kind = ? LIMIT 1""" for kind in ("lesson", "activity")}
_EARNED_ON = """
    SELECT coalesce(sum(amount), 0) FROM points_entry
    WHERE member_id = ? AND kind = ? AND at >= ? AND at < ?"""
_PROVISIONAL = """
    SELECT coalesce(sum(amount), 0) FROM points_entry WHERE member_id = ? AND status = 'provisional'"""
_HEAD = f"SELECT (SELECT count(*) FROM points_entry WHERE member_id = ?), ({_PROVISIONAL})"
# The page's rows are found in the (member_id, at) index alone, so a deep OFFSET skips index
# entries rather than joining rows it throws away; only the page's rows are joined for titles.
_PAGE = """
    SELECT p.at, p.kind, CASE WHEN p.signin_id IS NULL THEN p.note ELSE coalesce(c.name, a.title) END,
           p.amount, p.status
    FROM (SELECT id FROM points_entry WHERE member_id = ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?) page
    JOIN points_entry p ON p.id = page.id
    LEFT JOIN sign_in s ON s.id = p.signin_id
    LEFT JOIN lesson l ON l.id = s.lesson_id
    LEFT JOIN course c ON c.id = l.course_id
    LEFT JOIN activity a ON a.id = s.activity_id
    ORDER BY p.at DESC, p.id DESC"""
