"""Hours of volunteer service, as the bureau keeps them, and the reports over them.

The record of service is the ledger: every entry with minutes (LedgerEntry.minutes) is a service —
a kiosk's volunteer hours (a `points` fact of kind volunteer with its hours, bureau/rules/rounds.py)
or a need done in the console (needs.complete enters each taker's time through the rules,
NeedTaker.entry_id naming the entry).  So the reports read the ledger alone and no service is
counted twice; an entry a kiosk corrected (a correction reversing it) is no service.  The reversal
of what exceeds a day's points cap takes back points, never time: it carries no minutes.

Each report is one grouped query over the period's entries (the partial index of migration 0011
holds only the entries with minutes, by day), fast for a bureau of 50,000 members."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from peewee import JOIN, ModelSelect, fn

from bureau.models import LedgerEntry, Member, Organisation, OrgMember, Site
from bureau.organisations.rosters import on_roster

GROUPS = {
    "person": "按志愿者",
    "team": "按志愿服务队",
    "site": "按站点",
    "month": "按月",
    "quarter": "按季度",
    "year": "按年",
}
LIMIT = 500  # rows a report page shows (the .xlsx holds them all)


def services(start: date, end: date, sites: Sequence[int] | None = None) -> ModelSelect:
    """The period's services (ledger entries with minutes, not corrected away), at `sites` (None: all)."""
    corrected = LedgerEntry.alias("c")
    query = LedgerEntry.select().where(
        LedgerEntry.minutes.is_null(False),
        LedgerEntry.business_day.between(start, end),
        ~fn.EXISTS(
            corrected.select(corrected.id).where(
                corrected.reverses == LedgerEntry.entry_id, corrected.kind == "correction"
            )
        ),
    )
    return query if sites is None else query.where(LedgerEntry.site.in_(list(sites)))


def by_member(numbers: list[str], start: date, end: date) -> dict[str, tuple[int, int]]:
    """(minutes, services) of each of these members in the period: one grouped query."""
    if not numbers:
        return {}
    rows = (
        services(start, end)
        .select(LedgerEntry.member_no, fn.SUM(LedgerEntry.minutes), fn.COUNT(LedgerEntry.id))
        .where(LedgerEntry.member_no.in_(numbers))
        .group_by(LedgerEntry.member_no)
        .tuples()
    )
    return {no: (int(minutes or 0), count) for no, minutes, count in rows}


@dataclass(frozen=True)
class Line:
    label: str
    detail: str  # the member's number and site, a team's site …
    minutes: int
    services: int

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)


@dataclass(frozen=True)
class Report:
    by: str
    start: date
    end: date
    lines: list[Line]

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def services(self) -> int:
        return sum(line.services for line in self.lines)


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")


def report(by: str, start: date, end: date, sites: Sequence[int] | None = None) -> Report:
    """Hours and services of the period grouped `by` (GROUPS), most hours first (periods in order)."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    base = services(start, end, sites)
    total, count = fn.SUM(LedgerEntry.minutes), fn.COUNT(LedgerEntry.id)
    if by == "person":
        rows = (
            base.select(LedgerEntry.member_no, Member.name, Site.name, total, count)
            .join(Member, JOIN.LEFT_OUTER, on=Member.member_no == LedgerEntry.member_no)
            .join(Site, JOIN.LEFT_OUTER, on=Site.id == Member.site)
            .group_by(LedgerEntry.member_no, Member.name, Site.name)
            .tuples()
        )
        lines = [Line(name or no, f"{no} · {site or ''}", int(m), c) for no, name, site, m, c in rows]
    elif by == "team":
        rows = (
            base.select(Organisation.name, Site.name, total, count)
            .join(OrgMember, on=OrgMember.member_no == LedgerEntry.member_no)
            .join(Organisation, on=Organisation.id == OrgMember.organisation)
            .join(Site, JOIN.LEFT_OUTER, on=Site.id == Organisation.site)
            .where(Organisation.kind == "team", on_roster(LedgerEntry.business_day))
            .group_by(Organisation.id, Organisation.name, Site.name)
            .tuples()
        )
        lines = [Line(name, site or "全市", int(m), c) for name, site, m, c in rows]
    elif by == "site":
        rows = (
            base.select(Site.code, Site.name, total, count)
            .join(Site, JOIN.LEFT_OUTER, on=Site.id == LedgerEntry.site)
            .group_by(Site.code, Site.name)
            .tuples()
        )
        lines = [Line(name or "市局", code or "", int(m), c) for code, name, m, c in rows]
    else:  # one row a day from the store, summed into periods here: the same SQL on both stores
        rows = base.select(LedgerEntry.business_day, total, count).group_by(LedgerEntry.business_day).tuples()
        periods: dict[str, list[int]] = {}
        for day_, m, c in sorted(rows, key=lambda r: str(r[0])):
            label = period_of(by, LedgerEntry.business_day.python_value(day_))
            held = periods.setdefault(label, [0, 0])
            held[0] += int(m)
            held[1] += c
        return Report(by, start, end, [Line(label, "", m, c) for label, (m, c) in periods.items()])
    lines.sort(key=lambda line: (-line.minutes, line.label))
    return Report(by, start, end, lines)


def period_of(by: str, day: date) -> str:
    if by == "month":
        return f"{day.year}年{day.month:02d}月"
    if by == "quarter":
        return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"
    return f"{day.year}年"


def spans(today: date) -> dict[str, tuple[date, date]]:
    """The periods the report offers at a click: this month, this quarter, this year, last year."""
    quarter = (today.month - 1) // 3 * 3 + 1
    return {
        "本月": (today.replace(day=1), today),
        "本季度": (date(today.year, quarter, 1), today),
        "本年": (date(today.year, 1, 1), today),
        "去年": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }


def history(member_no: str, limit: int = 200) -> list[LedgerEntry]:
    """A member's services, newest first (the member page)."""
    return list(
        services(date(1900, 1, 1), date(9999, 12, 31))
        .where(LedgerEntry.member_no == member_no)
        .order_by(LedgerEntry.business_day.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
