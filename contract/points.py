"""Points rules as kiosk and bureau both read them: the categories that earn points, the shape of a
rule, and the defaults in force until the bureau publishes its own (docs/design.md §4.5)."""

from typing import Any

CATEGORIES = ("lesson", "activity", "party", "volunteer")  # what attending earns points under
PER = ("attendance", "hour")
FIELDS = ("category", "points", "per", "daily_cap", "once_per_item")
# Bounds on points (docs/sync-protocol.md §9.3): an award (a category's points for attending),
# any one entry (a redemption, a correction) and a member's balance, so that no sum of entries
# overflows a column or shows a senior an absurd balance.
AWARD_MAX = 10_000
ENTRY_MAX = 100_000
BALANCE_MAX = 1_000_000
# Activity kinds that earn under a category of their own; other activities earn as "activity".
ACTIVITY_CATEGORY = {"party_day": "party", "volunteer": "volunteer"}

DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "lesson": {"category": "lesson", "points": 2, "per": "attendance", "daily_cap": 10, "once_per_item": True},
    "activity": {"category": "activity", "points": 5, "per": "attendance", "daily_cap": 10, "once_per_item": True},
    "party": {"category": "party", "points": 5, "per": "attendance", "daily_cap": 10, "once_per_item": True},
    "volunteer": {"category": "volunteer", "points": 2, "per": "hour", "daily_cap": 16, "once_per_item": False},
}


def checked(rule: object) -> dict:
    """The known fields of a rule (a newer bureau may send more than this version understands),
    or ValueError saying what is wrong with it."""
    if not isinstance(rule, dict):
        raise ValueError(f"expected the fields {', '.join(FIELDS)}, not {rule!r}")
    missing = [k for k in FIELDS if k not in rule]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if rule["category"] not in CATEGORIES:
        raise ValueError(f"unknown category {rule['category']!r} (known: {', '.join(CATEGORIES)})")
    if rule["per"] not in PER:
        raise ValueError(f"per must be {' or '.join(PER)}, not {rule['per']!r}")
    for key in ("points", "daily_cap"):
        if not is_count(rule[key]):
            raise ValueError(f"{key} must be a whole number ≥ 0, not {rule[key]!r}")
    if not isinstance(rule["once_per_item"], bool):
        raise ValueError(f"once_per_item must be true or false, not {rule['once_per_item']!r}")
    return {k: rule[k] for k in FIELDS}


def is_count(value: object) -> bool:
    """A whole number ≥ 0 (and not a bool, which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
