"""Points for attending: the rules that award them and what one attendance earns.

The rules are data: the bureau's, pulled into table points_rule, else the defaults both sides share
(contract.points), so a kiosk and the bureau always award by the same rule (docs/design.md §4.5).
"""

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from contract.points import ACTIVITY_CATEGORY, DEFAULT_RULES
from kiosk.store.db import db
from kiosk.store.models import Activity

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    category: str
    points: int  # per attendance, or per hour (per == "hour")
    per: str
    daily_cap: int  # 0 = no cap
    once_per_item: bool
    version: int  # the bureau's version; 0 for a default
    source: str  # "bureau" or "default"


@dataclass(frozen=True)
class Award:
    """What one attendance earns: `amount` may be 0 (capped, or already awarded)."""

    category: str
    amount: int
    rule: Rule


def rules() -> dict[str, Rule]:
    """The rules in force, by category: the bureau's, else the default."""
    published = {row[0]: _rule(row) for row in db.execute_sql(_RULES)}
    return {category: published.get(category) or _default(category) for category in DEFAULT_RULES}


def rule(category: str) -> Rule:
    row = db.execute_sql(_RULE, (category,)).fetchone()
    return _rule(row) if row else _default(category)


def _rule(row: tuple) -> Rule:
    category, points, per, daily_cap, once_per_item, version, source = row
    return Rule(category, points, per, daily_cap, bool(once_per_item), version, source)


def _default(category: str) -> Rule:
    rule = DEFAULT_RULES[category]
    return Rule(category, rule["points"], rule["per"], rule["daily_cap"], rule["once_per_item"], 0, "default")


def activity_category(activity: Activity) -> str:
    """The points category of an activity: party-branch days and volunteer service have their own."""
    return ACTIVITY_CATEGORY.get(activity.kind, "activity")


def activity_points(activity: Activity) -> int:
    """What attending `activity` earns before daily caps: its own figure, else its category's rule."""
    if activity.points is not None:
        return activity.points
    return rule(activity_category(activity)).points


def volunteer_points(hours: float) -> int:
    """Points for `hours` of one day's volunteer service: the rule's points per hour, rounded
    down, and at most the rule's daily cap."""
    if hours < 0:
        raise ValueError(f"hours of volunteer service cannot be negative: {hours}")
    found = rule("volunteer")
    # round() first, so 0.1-step hours that land a hair under a whole number do not lose a point.
    points = math.floor(round(found.points * hours, 6))
    return min(points, found.daily_cap) if found.daily_cap else points


def award(member_id: int, kind: str, item_id: int, now: datetime) -> Award:
    """What attending lesson or activity `item_id` (kind "lesson" or "activity") earns the member
    at `now`, by the rules: the activity's own points or the rule's, none for an item already
    awarded when the rule says once per item, and no more than the rule's daily cap allows.
    Call it in the sign-in's write transaction, before its entry goes in."""
    category, own = "lesson", None
    if kind == "activity":
        activity_kind, own = db.execute_sql(_ACTIVITY, (item_id,)).fetchone()
        category = ACTIVITY_CATEGORY.get(activity_kind, "activity")
    found = rule(category)
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


# SQL text, not peewee expressions: these run on the sign-in path, where building a query costs
# more than running it (bench/signin.py).  Each uses an index (EXPLAIN QUERY PLAN):
# points_rule_category, points_entry_member_id_at, sign_in_member_id_lesson_id / _activity_id and
# points_entry_signin_id.
_RULES = """SELECT category, points, per, daily_cap, once_per_item, version, source FROM points_rule"""
_RULE = _RULES + " WHERE category = ?"
_ACTIVITY = "SELECT kind, points FROM activity WHERE id = ?"
_AWARDED = {
    kind: f"""
    SELECT 1 FROM sign_in s JOIN points_entry p ON p.signin_id = s.id
    WHERE s.member_id = ? AND s.{kind}_id = ? AND p.kind = ? LIMIT 1"""
    for kind in ("lesson", "activity")
}
_EARNED_ON = """
    SELECT coalesce(sum(amount), 0) FROM points_entry
    WHERE member_id = ? AND kind = ? AND at >= ? AND at < ?"""
