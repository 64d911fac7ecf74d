"""换届提醒: an organisation whose term ends within 90 days, or ended and was not renewed (its term
dates not moved on), is due for 换届.  A dissolved one, or one with no term end, never is.
Renewing is editing the term dates (bureau.organisations.orgs.edit, audited as organisation.renew)."""

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import ModelSelect

from bureau.models import Organisation

AHEAD = timedelta(days=90)


@dataclass(frozen=True)
class Renewal:
    """An organisation's 换届 state on a day."""

    due: bool
    days: int | None  # to the term's end (negative: past it), None without a term end
    text: str  # what the pages say: 「还有 30 天到期换届」, 「届期已过 5 天，请换届」 …


def renewal(org: Organisation, today: date) -> Renewal:
    if org.term_end is None or org.dissolved_at is not None:
        return Renewal(False, None, "")
    days = (org.term_end - today).days
    if days < 0:
        return Renewal(True, days, f"届期已过 {-days} 天，请换届")
    if days == 0:
        return Renewal(True, 0, "届期今天结束，请换届")
    if org.term_end - today <= AHEAD:
        return Renewal(True, days, f"还有 {days} 天到期换届")
    return Renewal(False, days, "")


def due(query: ModelSelect, today: date) -> ModelSelect:
    """`query` (of Organisation) narrowed to those due for 换届 on `today`, soonest first."""
    return query.where(
        Organisation.dissolved_at.is_null(),
        Organisation.term_end.is_null(False),
        Organisation.term_end <= today + AHEAD,
    ).order_by(Organisation.term_end)
