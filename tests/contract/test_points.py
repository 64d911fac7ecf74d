"""contract.points: the checks a points rule passes on both sides, and the shared defaults."""

import pytest

from contract.points import CATEGORIES, DEFAULT_RULES, checked


def rule(category: str = "lesson", points=2, per: str = "attendance", daily_cap=0, once_per_item=True) -> dict:
    return dict(category=category, points=points, per=per, daily_cap=daily_cap, once_per_item=once_per_item)


@pytest.mark.parametrize(
    "bad, message",
    [
        (rule("dance"), "unknown category 'dance'"),
        (rule(points=-1), "points must be a whole number"),
        (rule(points=2.5), "points must be a whole number"),
        (rule(points=True), "points must be a whole number"),
        (rule(points="2"), "points must be a whole number"),
        (rule(daily_cap=-3), "daily_cap must be a whole number"),
        (rule(per="day"), "per must be attendance or hour"),
        (rule(once_per_item="yes"), "once_per_item must be true or false"),
        ({"category": "lesson", "points": 2}, "missing per, daily_cap, once_per_item"),
        ("lesson", "expected the fields"),
    ],
)
def test_a_bad_rule_is_refused_with_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message):
        checked(bad)


def test_a_rule_keeps_only_the_fields_this_version_knows():
    assert checked({**rule(), "expires_days": 365}) == rule()


def test_every_category_has_a_good_default():
    assert set(DEFAULT_RULES) == set(CATEGORIES)
    assert all(checked(r) == r and r["category"] == c for c, r in DEFAULT_RULES.items())
