"""The care lists (关怀名单): who needs a visit or a call today, and why (docs/care.md, Care lists).

Each list is a rule over the data; each row names its member, the reason in Chinese, the day the
member became due, and whether that is overdue (due for more than OVERDUE days).  A visit or call
recorded in the visit log (Visit) takes the member off the lists whose rule it meets, and off no
other.  The lists are asked for a set of sites (a Viewer's scope) and a day, `as_of`.

    absent    未来签到   no sign-in for 4 weeks (bureau.reports.care_list's rule); not while in hospital
    birthday  本月生日   the birthday (Situation.birth_date) falls in as_of's month
    ninety    90岁及以上 aged 90 and over (birth_date; else the member's birth_year, 「约」)
    festival  节日走访   元旦, 春节, 重阳: 30 days before to the day; 离休, 80+, hardship, alone, party
    alone     四必访     lives alone or in hardship, not visited or called for 90 days (or never)
    hospital  出院回访   back from hospital, no visit or call since

Every query is set-based: a site's or the bureau's rows in a few statements, never one a member.
The list keys are also the Visit.reason a visit answering a list records (the birthday list drops a
member only on a visit or call with reason "birthday").
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from peewee import JOIN, SQL, Case, fn

from bureau import reports
from bureau.care import festivals
from bureau.models import Attendance, BureauUser, Member, Site, Situation, Visit
from bureau.store import db, is_sqlite

LISTS = {
    "absent": "未来签到",
    "birthday": "本月生日",
    "ninety": "90岁及以上",
    "festival": "节日走访",
    "alone": "四必访",
    "hospital": "出院回访",
}
ABSENT_WEEKS = 4
OVERDUE = {"hospital": 7}  # days a row may be due before it is overdue; every other list:
OVERDUE_DAYS = 14
QUARTER_DAYS = 90  # 四必访: a visit or call at least this often
IN_PERSON = ("visit", "hospital")  # the kinds of Visit that are a visit (not a call)
FESTIVAL_AGE = 80


@dataclass
class Row:
    list: str  # a key of LISTS
    member_no: str
    site: str  # its code
    reason: str
    due: date | None  # the day the member became due (None: since ever: never seen, never visited)
    overdue: bool
    name: str = ""
    last_signin: date | None = None
    last_visit: date | None = None
    contact: str = ""  # 联系人
    phone: str = ""  # Situation.phone, else 尾号 of the card's


def overdue(kind: str, due: date | None, as_of: date) -> bool:
    """Due for more than OVERDUE days (7 for 出院回访); due since ever is overdue."""
    return due is None or (as_of - due).days > OVERDUE.get(kind, OVERDUE_DAYS)


def anniversary(born: date, year: int) -> date:
    """`born`'s day in `year`: 29 February falls on 28 February in a common year."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return born.replace(year=year)


def age(born: date, on: date) -> int:
    return on.year - born.year - (anniversary(born, on.year) > on)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# --- the lists ----------------------------------------------------------------------------------------


def rows(kind: str, sites: Sequence[Site], as_of: date) -> list[Row]:
    """The list `kind` of `sites` on `as_of`, each row filled in (name, last sign-in and visit,
    contact), those due longest first."""
    if kind not in LISTS:
        raise KeyError(kind)
    found = _absent_rows(sites, as_of) if kind == "absent" else _situated(sites, as_of)[kind]
    return filled(found, as_of)


def site_lists(site: Site, as_of: date) -> dict[str, list[Row]]:
    """Every list of one site, its rows not filled in (`filled` the one a page shows)."""
    return {"absent": _absent_rows([site], as_of), **_situated([site], as_of)}


def site_counts(site: Site, as_of: date, found: dict[str, list[Row]] | None = None) -> dict[str, tuple[int, int]]:
    """One site's lists: {list: (due, overdue)} (the tabs of a site's page)."""
    found = found if found is not None else site_lists(site, as_of)
    return {k: (len(found[k]), sum(r.overdue for r in found[k])) for k in LISTS}


def counts(sites: Sequence[Site], as_of: date) -> dict[str, dict[str, tuple[int, int]]]:
    """{site code: {list: (due, overdue)}} for `sites`: the bureau's view, no row made (_tally)."""
    out = {s.code: {k: [0, 0] for k in LISTS} for s in sites}
    for code, kind, late, n in _tally(sites, as_of):
        out[code][kind][0] += n
        out[code][kind][1] += n if late else 0
    return {code: {k: (n, m) for k, (n, m) in lists.items()} for code, lists in out.items()}


def totals(sites: Sequence[Site], as_of: date) -> tuple[int, int]:
    """(members due on some list, members overdue on some list) of `sites`: the overview's line.
    A member on two lists is one person to visit, counted once."""
    due, late = 0, 0
    for _, _, mask, n in _masks(sites, as_of):
        due += n if mask else 0
        late += n if mask & _LATE else 0
    return due, late


# --- 未来签到: the existing rule of bureau.reports, less those in hospital or visited since ----------


def _absent_due(last_signin: date | None, joined: date | None) -> date | None:
    """The first day on the list: the day after ABSENT_WEEKS weeks without a sign-in."""
    seen = last_signin or joined
    return seen + timedelta(weeks=ABSENT_WEEKS, days=1) if seen else None


def _absent_rows(sites: Sequence[Site], as_of: date) -> list[Row]:
    """A site's list is reports.care_list's (one probe of the last sign-in a member it finds), less
    those in hospital or visited after they became due."""
    out = []
    for site in sites:
        listed = reports.care_list(ABSENT_WEEKS, as_of, site.code)
        away, visited = _in_hospital([site], as_of), _last_visits([site], as_of)
        for r in listed:
            due = _absent_due(r.last_signin, r.joined)
            if r.member_no in away or _answered(due, visited.get(r.member_no)):
                continue
            weeks = (as_of - (r.last_signin or r.joined or as_of)).days // 7
            reason = f"已 {weeks} 周未来" if r.last_signin else "登记后从未签到"
            row = Row("absent", r.member_no, site.code, reason, due, overdue("absent", due, as_of))
            row.name, row.last_signin, row.phone = (
                r.name,
                r.last_signin,
                f"尾号 {r.phone_last4}" if r.phone_last4 else "",
            )
            out.append(row)
    return out


def _answered(due: date | None, last_visit: date | None) -> bool:
    """Whether a visit or call took a member off the absence list: one on or after the day due."""
    return last_visit is not None and (due is None or last_visit >= due)


# --- the lists of a member's situation ------------------------------------------------------------------


@dataclass
class _Person:
    member_no: str
    site: str
    birth_year: int | None
    situation: Any  # the Situation's fields read here (a named tuple), None without one


def _situated(sites: Sequence[Site], as_of: date, aged: bool = True) -> dict[str, list[Row]]:
    """Every list but 未来签到, from the situations of `sites` and (`aged`) the members without one
    old enough by their birth year, with their visits: a few statements whatever the number of members."""
    people = _people(sites, as_of, aged)
    last_visit = _last_visits(sites, as_of)
    month, quarter = as_of.replace(day=1), quarter_start(as_of)
    current = festivals.current(as_of)
    since = min([month, quarter, *(f.opens for f in current)])
    window = _visits_since(sites, since, as_of)
    out: dict[str, list[Row]] = {k: [] for k in LISTS if k != "absent"}

    def met(no: str, start: date, kinds: Iterable[str] = (), reason: str = "") -> bool:
        return any(
            d >= start and (not kinds or k in kinds) and (not reason or r == reason) for d, k, r in window.get(no, ())
        )

    def add(kind: str, p: _Person, reason: str, due: date | None) -> None:
        out[kind].append(Row(kind, p.member_no, p.site, reason, due, overdue(kind, due, as_of)))

    for p in people:
        s = p.situation
        born = s.birth_date if s is not None else None
        years = age(born, as_of) if born else (as_of.year - p.birth_year if p.birth_year else None)
        # 本月生日
        if born is not None:
            birthday = anniversary(born, as_of.year)
            if birthday.month == as_of.month and not met(p.member_no, month, reason="birthday"):
                add("birthday", p, f"本月 {birthday.day} 日生日（{age(born, birthday)} 岁）", birthday)
        # 90岁及以上
        if years is not None and years >= 90 and not met(p.member_no, quarter, IN_PERSON):
            if born is not None:
                turned = anniversary(born, born.year + 90)
                reason = "今天满 90 岁" if turned == as_of else f"{years} 岁"
            else:
                turned = date(p.birth_year + 90, 1, 1)  # type: ignore[operator]
                reason = f"约 {years} 岁（按出生年）"
            add("ninety", p, reason, max(turned, quarter))
        # 节日走访
        why = _festival_reasons(s, years, born is None)
        for f in current:
            if why and not met(p.member_no, f.opens, IN_PERSON):
                add("festival", p, f"{f.name}走访（{f.day:%m月%d日}）：{'、'.join(why)}", f.opens)
        if s is None:
            continue
        # 四必访
        hardship = [h for h in s.hardship.split(",") if h]
        if s.lives_alone or hardship:
            last = last_visit.get(p.member_no)
            if last is None or (as_of - last).days >= QUARTER_DAYS:
                what = "、".join((["独居"] if s.lives_alone else []) + hardship)
                seen = f"上次走访 {last}" if last else "从未走访"
                add("alone", p, f"{what}，{seen}", last + timedelta(days=QUARTER_DAYS) if last else None)
        # 出院回访
        back, since_hospital = s.back_from_hospital, s.in_hospital_since
        if back is not None and back <= as_of and (since_hospital is None or since_hospital <= back):
            last = last_visit.get(p.member_no)
            if last is None or last < back:
                add("hospital", p, f"{back} 出院", back)
    return out


def _festival_reasons(s: Any, years: int | None, approximate: bool) -> list[str]:
    why = []
    if s is not None and s.retired == "离休":
        why.append("离休")
    if years is not None and years >= FESTIVAL_AGE:
        why.append(f"{'约 ' if approximate else ''}{years} 岁")
    if s is not None:
        why += [h for h in s.hardship.split(",") if h]
        if s.lives_alone:
            why.append("独居")
        if s.party_member:
            why.append("党员")
    return why


def _people(sites: Sequence[Site], as_of: date, aged: bool = True) -> list[_Person]:
    """The members of `sites` with a situation, and (`aged`) those without one whose birth year
    makes them FESTIVAL_AGE or more this year (the ages by birth year)."""
    ids = [s.id for s in sites]
    codes = {s.id: s.code for s in sites}
    situated = (
        Situation.select(
            Situation.member_no,
            Situation.site.alias("site_id"),
            Situation.retired,
            Situation.party_member,
            Situation.birth_date,
            Situation.lives_alone,
            Situation.hardship,
            Situation.in_hospital_since,
            Situation.back_from_hospital,
            Member.birth_year,
        )
        .join(Member, on=(Member.member_no == Situation.member_no))
        .where(Situation.site.in_(ids) & Member.active & Member.merged_into.is_null())
        .namedtuples()
    )
    people = [_Person(s.member_no, codes[s.site_id], s.birth_year, s) for s in situated]
    if aged:
        for no, site, year in _aged(ids, as_of.year - FESTIVAL_AGE).tuples():
            people.append(_Person(no, codes[site], year, None))
    return people


def _aged(ids: list[int], born_by: int):
    """The members of the sites `ids` without a situation born in `born_by` or before (by birth year)."""
    return reports.roster(Member.member_no, Member.site, Member.birth_year).where(
        Member.site.in_(ids)
        & (Member.birth_year <= born_by)
        & Member.member_no.not_in(Situation.select(Situation.member_no).where(Situation.site.in_(ids)))
    )


# --- the bureau's counts: the same rules, decided in SQL ---------------------------------------------

# Every list of a member is two bits of a mask (due, and overdue: a row overdue is due too), in this
# order, then a pair for each open 节日走访 window; one statement groups the members by their sites and
# mask, so that each member's lists are decided once, in the store, and no member's row reaches Python.
_PAIRS = ("absent", "birthday", "ninety", "alone", "hospital")
_LATE = int("10" * 16, 2)  # the overdue bit of every pair


def _tally(sites: Sequence[Site], as_of: date) -> list[tuple[str, str, bool, int]]:
    """(site code, list, overdue, members) of `sites`: the masks of _masks, unpacked."""
    codes = {s.id: s.code for s in sites}
    kinds = [*_PAIRS, *("festival" for _ in festivals.current(as_of))]
    out = []
    for member_site, situation_site, mask, n in _masks(sites, as_of):
        for pair, kind in enumerate(kinds):
            state = mask >> 2 * pair & 3
            if state:
                site = member_site if kind == "absent" else situation_site or member_site
                out.append((codes[site], kind, state == 3, n))
    return out


def _masks(sites: Sequence[Site], as_of: date) -> list[tuple[int, int | None, int, int]]:
    """(the member's site id, their situation's site id or None, mask, members) of `sites`."""
    with db.atomic():
        if not is_sqlite():
            # Its estimated cost passes PostgreSQL's jit_above_cost, and compiling the masks'
            # expressions took ~50 ms of the ~200 the statement takes on 50,000 members.
            db.execute_sql("SET LOCAL jit = off")
        return [(site, situated, int(mask), n) for site, situated, mask, n in _masked(sites, as_of).tuples()]


def _masked(sites: Sequence[Site], as_of: date):
    """The statement of _masks: the rules of
    _absent_rows and _situated in one grouped statement over the members of `sites` (those with a
    situation of `sites` attributed to its site, as _situated does).

    It reads who signed in since 43 days ago (the absence list's cut-off and the overdue one, from
    the (site, business_day, member_no) index) and the visits up to `as_of` (each member's last
    visit or call, last visit in person, last visit for a birthday) once each, both hashed; only the
    members gone who were visited since have their last sign-in looked up (one index probe each),
    and only those gone without a sign-in since the cut-off who joined after it whether they ever
    signed in."""
    ids = _ids(sites)
    m, s = Member, Situation
    since = as_of - timedelta(weeks=ABSENT_WEEKS)  # reports.gone's cut-off: no sign-in on or after it
    late_since = since - timedelta(days=OVERDUE_DAYS + 1)  # gone already then: overdue today
    recent = (
        Attendance.select(Attendance.member_no, fn.MAX(Attendance.business_day).alias("day"))
        .where((Attendance.business_day >= late_since) & Attendance.site.in_(Site.select(Site.id)))
        .group_by(Attendance.member_no)
        .alias("recent")
    )
    seen = (
        Visit.select(
            Visit.member_no,
            fn.MAX(Visit.day).alias("last"),
            fn.MAX(Case(None, [(Visit.kind.in_(IN_PERSON), Visit.day)])).alias("in_person"),
            fn.MAX(Case(None, [(Visit.reason == "birthday", Visit.day)])).alias("birthday"),
        )
        .where(Visit.site.in_(ids) & (Visit.day <= as_of))
        .group_by(Visit.member_no)
        .alias("seen")
    )
    signed_in, last_seen = recent.c.day, seen.c.last
    mine = Attendance.member_no == m.member_no
    ever = fn.EXISTS(Attendance.select(SQL("1")).where(mine))
    last_signin = Attendance.select(fn.MAX(Attendance.business_day)).where(mine)
    counted_from = fn.COALESCE(signed_in, last_signin, m.joined)  # _absent_due's: the due day less 29
    in_hospital = (s.in_hospital_since <= as_of) & (
        s.back_from_hospital.is_null() | (s.back_from_hospital < s.in_hospital_since)
    )
    absent = Case(
        None,
        [
            (~m.site.in_(ids), 0),
            (signed_in >= _day(since), 0),
            (~(m.joined.is_null() | (m.joined < since) | signed_in.is_null(False) | ever), 0),
            (in_hospital, 0),
            (last_seen.is_null(False) & fn.COALESCE(counted_from <= _days_before(last_seen, 29), True), 0),
            (signed_in.is_null() & (m.joined.is_null() | (m.joined < late_since) | ever), 3),
        ],
        1,
    )
    month, late_day = as_of.replace(day=1), as_of - timedelta(days=OVERDUE_DAYS + 1)
    birthday = _state(
        s.birth_date.is_null(False)
        & (db.extract_date("month", s.birth_date) == as_of.month)
        & (seen.c.birthday.is_null() | (seen.c.birthday < _day(month))),
        db.extract_date("day", s.birth_date) <= as_of.day - OVERDUE_DAYS - 1,
    )
    quarter = quarter_start(as_of)
    ninety = _state(
        _aged_by(90, as_of) & (seen.c.in_person.is_null() | (seen.c.in_person < _day(quarter))),
        # due since the quarter's first day, or the 90th birthday when later (by birth year: the quarter's)
        overdue("ninety", quarter, as_of) and (s.birth_date.is_null() | (s.birth_date <= born_by(late_day, 90))),
    )
    cared = s.lives_alone | (s.hardship != "")
    alone = _state(
        s.id.is_null(False) & cared & (last_seen.is_null() | (last_seen <= _day(as_of - timedelta(days=QUARTER_DAYS)))),
        last_seen.is_null() | (last_seen < _day(as_of - timedelta(days=QUARTER_DAYS + OVERDUE_DAYS))),
    )
    back = s.back_from_hospital
    hospital = _state(
        (back <= as_of)
        & (s.in_hospital_since.is_null() | (s.in_hospital_since <= back))
        & (last_seen.is_null() | (last_seen < back)),
        back < as_of - timedelta(days=OVERDUE["hospital"]),
    )
    why = (s.retired == "离休") | _aged_by(FESTIVAL_AGE, as_of) | cared | s.party_member
    windows = [
        _state(
            why & (seen.c.in_person.is_null() | (seen.c.in_person < _day(f.opens))),
            overdue("festival", f.opens, as_of),
        )
        for f in festivals.current(as_of)
    ]
    mask = sum((state * 4**pair for pair, state in enumerate([absent, birthday, ninety, alone, hospital, *windows])))
    query = (
        reports.roster(m.site, s.site, mask, fn.COUNT(SQL("*")))
        .join(s, JOIN.LEFT_OUTER, on=(s.member_no == m.member_no) & s.site.in_(ids))
        .join_from(m, recent, JOIN.LEFT_OUTER, on=(recent.c.member_no == m.member_no))
        .join_from(m, seen, JOIN.LEFT_OUTER, on=(seen.c.member_no == m.member_no))
        .where(m.site.in_(ids) | s.id.is_null(False))
        .group_by(SQL("1"), SQL("2"), SQL("3"))
    )
    return query


def _state(due: Any, late: Any) -> Case:
    """A list's pair of bits: 0 not on it, 1 due, 3 overdue (`late` a condition, or True or False
    for every row of the list today)."""
    if isinstance(late, bool):
        return Case(None, [(due, 3 if late else 1)], 0)
    return Case(None, [(due, Case(None, [(late, 3)], 1))], 0)


def _aged_by(years: int, on: date) -> Any:
    """Aged `years` or more on `on`: by the situation's birth date, else by the member's birth year."""
    return (Situation.birth_date.is_null(False) & (Situation.birth_date <= born_by(on, years))) | (
        Situation.birth_date.is_null() & (Member.birth_year <= on.year - years)
    )


def born_by(on: date, years: int) -> date:
    """The last birth date of those aged `years` or more on `on` (age() ≥ years): 29 February of a
    leap year turns a year older on 28 February of a common one."""
    year = on.year - years
    if on.month == 2 and on.day >= 28 and calendar.isleap(year) and (on.day == 29 or not calendar.isleap(on.year)):
        return date(year, 2, 29)
    if on.month == 2 and on.day == 29:
        return date(year, 2, 28)
    return on.replace(year=year)


def _day(day: date) -> str:
    """A day compared with a column of a derived table (no field to convert it): as the stores write it."""
    return day.isoformat()


def _days_before(column: Any, days: int) -> Any:
    """The day `days` before a date column of a derived table, in the store's dialect."""
    return fn.date(column, f"-{days} days") if is_sqlite() else column - days


# --- visits, hospital, and filling rows in --------------------------------------------------------------


def _chunks(numbers: Sequence[str], size: int = 5000) -> Iterable[Sequence[str]]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]


def _ids(sites: Sequence[Site]) -> list[int]:
    return [s.id for s in sites]


def _last_visits(sites: Sequence[Site], as_of: date) -> dict[str, date]:
    """Each member's last visit or call up to `as_of`, of the members of `sites` (a visit is its
    member's site's): one grouped read of the (site, day) index."""
    query = (
        Visit.select(Visit.member_no, fn.MAX(Visit.day))
        .where(Visit.site.in_(_ids(sites)) & (Visit.day <= as_of))
        .group_by(Visit.member_no)
    )
    return {no: reports._date(day) for no, day in query.tuples() if day is not None}


def _visits_since(sites: Sequence[Site], since: date, as_of: date) -> dict[str, list[tuple[date, str, str]]]:
    out: dict[str, list[tuple[date, str, str]]] = defaultdict(list)
    query = Visit.select(Visit.member_no, Visit.day, Visit.kind, Visit.reason).where(
        Visit.site.in_(_ids(sites)) & (Visit.day >= since) & (Visit.day <= as_of)
    )
    for no, day, kind, reason in query.tuples():
        out[no].append((reports._date(day), kind, reason))
    return out


def _in_hospital(sites: Sequence[Site], as_of: date) -> set[str]:
    """Who of the members of `sites` is in hospital on `as_of` (admitted, not back since)."""
    query = Situation.select(Situation.member_no).where(
        Situation.site.in_(_ids(sites))
        & (Situation.in_hospital_since <= as_of)
        & (Situation.back_from_hospital.is_null() | (Situation.back_from_hospital < Situation.in_hospital_since))
    )
    return {no for (no,) in query.tuples()}


def filled(found: list[Row], as_of: date) -> list[Row]:
    """The rows with name, last sign-in and visit, contact person and phone, those due longest first:
    a statement a few thousand rows (the absence list's rows come with their name and last sign-in)."""
    bare = list(dict.fromkeys(r.member_no for r in found if r.list != "absent"))
    last = Attendance.select(fn.MAX(Attendance.business_day)).where(Attendance.member_no == Member.member_no)
    members: dict[str, tuple] = {}
    situations: dict[str, tuple] = {}
    for part in _chunks(bare):
        query = Member.select(Member.member_no, Member.name, Member.phone_last4, last).where(
            Member.member_no.in_(list(part))
        )
        members |= {
            no: (name, f"尾号 {phone}" if phone else "", reports._date(seen))
            for no, name, phone, seen in query.tuples()
        }
    numbers = list(dict.fromkeys(r.member_no for r in found))
    for part in _chunks(numbers):
        cared = (
            Situation.select(Situation.member_no, Situation.phone, Situation.contact_name, BureauUser.full_name)
            .join(BureauUser, JOIN.LEFT_OUTER, on=(Situation.contact_user == BureauUser.id))
            .where(Situation.member_no.in_(list(part)))
        )
        situations |= {no: (phone, contact, user) for no, phone, contact, user in cared.tuples()}
    sites = list({r.site for r in found})
    visits = _last_visits(list(Site.select().where(Site.code.in_(sites))), as_of) if sites else {}
    for r in found:
        if r.member_no in members:
            r.name, r.phone, r.last_signin = members[r.member_no]
        phone, contact, user = situations.get(r.member_no, ("", "", None))
        r.last_visit = visits.get(r.member_no)
        r.phone = phone or r.phone
        r.contact = user or contact or ""
    return sorted(found, key=lambda r: (r.due is not None, r.due or date.min, r.member_no))
