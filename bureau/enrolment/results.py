"""The draw through the store (docs/enrolment.md): the applicant list fixed at closing (eligibility
decided, priority groups set, its hash published), the draw with the public numbers (winners
enrolled, the rest waitlisted in draw order, each senior's result published to their kiosk), and
its verification from the store.  The algorithm itself is lottery.py's, without a store.

Writes are set-based (a few multi-row statements for thousands of applicants); called inside
store.write(), each step audited.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bureau import audit
from bureau.enrolment import lottery, seasons
from bureau.enrolment.seasons import SeasonError
from bureau.models import Application, AuditEntry, Course, Enrollment, Member, Season, SeasonCourse, Site, Term
from bureau.programme import classes, notices
from bureau.rules import sql
from bureau.rules.applications import COLUMNS

NO_AGE = "未核验年龄（报名时未读身份证）"
NOT_MEMBER = "非本站学员"
ON_ROSTER = "已在该课程名单上"
RETURNING_TEXT, OTHERS_TEXT = "上学期同名课程学员", "其他报名者"
_APPLICATION_COLUMNS = ("id", *COLUMNS)  # an update of rows read: by their id


def mask(name: str) -> str:
    """王建华 → 王*华, 王华 → 王*, 欧阳建华 → 欧**华: as the kiosk's public screen shows names."""
    chars = list(name.strip())
    if len(chars) <= 2:
        return chars[0] + "*" if len(chars) == 2 else "".join(chars)
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


def previous_term(season: Season) -> Term | None:
    """The site's term before the season's (its returning students draw first)."""
    return (
        Term.select()
        .where(Term.site == season.site_id, Term.start < season.term.start)
        .order_by(Term.start.desc(), Term.id.desc())
        .first()
    )


def returning(season: Season) -> set[tuple[str, str]]:
    """(course title, member_no) of last term's students, enrolled then."""
    last = previous_term(season)
    if last is None:
        return set()
    query = (
        Enrollment.select(Course.title, Enrollment.member_no)
        .join(Course)
        .where(Course.term == last, Enrollment.status == "enrolled")
    )
    return set(query.tuples())


def group(season: Season, back: bool, older: bool) -> int:
    """An applicant's priority group (0 draws first): returning students first (with
    `returning_first`), and within each the older (with `older_first`).  With one rule on the groups
    are 0 and 1, with both 0 to 3, with neither everyone is 0."""
    if season.older_first is None:
        return 0 if back or not season.returning_first else 1
    return 2 * (0 if back or not season.returning_first else 1) + (0 if older else 1)


def groups(season: Season) -> dict[int, str]:
    """The season's priority groups in draw order, as the draw page and the result list state them."""
    older = f"{season.older_first} 岁及以上" if season.older_first is not None else ""
    if season.returning_first and older:
        return {0: f"{RETURNING_TEXT}（{older}）", 1: RETURNING_TEXT, 2: older, 3: OTHERS_TEXT}
    if season.returning_first:
        return {0: RETURNING_TEXT, 1: OTHERS_TEXT}
    if older:
        return {0: older, 1: OTHERS_TEXT}
    return {0: "所有报名者"}


def freeze(season: Season, username: str, now: datetime) -> str:
    """At closing: each application still `applied` judged (refused with its reason, or given its
    priority group), the list's hash fixed and published.  Returns the hash."""
    if seasons.state(season, now) != "closed":
        raise SeasonError(f"报名季「{season.title}」{seasons.STATES[seasons.state(season, now)]}：截止后才能公布名单。")
    rows = list(
        Application.select(Application, Course)
        .join(Course)
        .where(Application.season == season, Application.status == "applied")
    )
    numbers = sorted({a.member_no for a in rows})
    sites = dict(
        Member.select(Member.member_no, Member.site).where(Member.member_no.in_(numbers)).tuples() if numbers else []
    )
    rostered = set(
        Enrollment.select(Enrollment.course, Enrollment.member_no)
        .join(SeasonCourse, on=(SeasonCourse.course == Enrollment.course))
        .where(SeasonCourse.season == season, Enrollment.status != "dropped")
        .tuples()
    )
    back = returning(season) if season.returning_first else set()
    updates = []
    for a in rows:
        refusal = ""
        if (a.course.age_min is not None or a.course.age_max is not None) and not a.age_checked:
            refusal = NO_AGE
        elif season.members_only and sites.get(a.member_no) != season.site_id:
            refusal = NOT_MEMBER
        elif (a.course_id, a.member_no) in rostered:
            refusal = ON_ROSTER
        a.status, a.refusal = ("refused", refusal) if refusal else ("applied", "")
        a.priority = group(season, (a.course.title, a.member_no) in back, bool(a.older))
        updates.append(a)
    _write_applications(updates)
    hashed = lottery.applicants_hash(entries(season))
    Season.update(applicants_hash=hashed).where(Season.id == season.id).execute()
    refused = sum(1 for a in updates if a.status == "refused")
    detail = {"applicants_hash": hashed, "applicants": len(updates) - refused, "refused": refused}
    audit.record(username, "season.freeze", season.title, season.site, detail)
    return hashed


def entries(season: Season, statuses: Iterable[str] = ("applied",)) -> list[lottery.Entry]:
    """The season's applications of `statuses` as the draw takes them."""
    query = (
        Application.select(Course.key, Application.member_no, Application.priority)
        .join(Course)
        .where(Application.season == season, Application.status.in_(list(statuses)))
    )
    return [lottery.Entry(c, m, g) for c, m, g in query.tuples()]


def places(season: Season) -> dict[str, int | None]:
    """Each offered course's places for the draw: its capacity less those already enrolled (None:
    no limit).  Once drawn, the places the draw had (kept in its audit entry): the winners fill
    the places since."""
    if season.drawn_at is not None:
        entry = (
            AuditEntry.select()
            .where(AuditEntry.action == "season.draw", AuditEntry.site == season.site_id)
            .where(AuditEntry.detail.contains(season.seed))
            .order_by(AuditEntry.id.desc())
            .first()
        )
        if entry is not None:
            return json.loads(entry.detail)["places"]
    found: dict[str, int | None] = {}
    for offer in seasons.offers(season):
        course = offer.course
        found[course.key] = max(0, course.capacity - classes.enrolled_count(course)) if course.capacity else None
    return found


@dataclass(frozen=True)
class Drawn:
    seed: str
    placings: list[lottery.Placing]


def draw(season: Season, public_numbers: str, username: str, now: datetime) -> Drawn:
    """The draw: the seed from the published hash and the numbers, every course's order, the
    results filed, enrolled and waitlisted, and told (result items, enrollment items, the season)."""
    if season.drawn_at is not None:
        raise SeasonError("这个报名季已经摇过号了。")
    if not season.applicants_hash:
        raise SeasonError("请先在截止后公布报名名单（固定名单的哈希值），再摇号。")
    numbers = lottery.numbers(public_numbers)
    drawn = entries(season)
    if lottery.applicants_hash(drawn) != season.applicants_hash:  # nothing may change a fixed list
        raise SeasonError("报名名单与公布的哈希值不一致，不能摇号；请联系管理员。")
    seed = lottery.seed(season.applicants_hash, numbers)
    limits = places(season)
    placings = lottery.draw(drawn, {k: n for k, n in limits.items() if n is not None}, seed)
    file_results(season, placings, now)
    Season.update(public_numbers=numbers, seed=seed, drawn_at=now, drawn_by=username).where(
        Season.id == season.id
    ).execute()
    season = Season.get_by_id(season.id)
    seasons.publish(season)
    won = sum(1 for p in placings if p.won)
    detail = {
        "applicants_hash": season.applicants_hash,
        "numbers": numbers,
        "seed": seed,
        "places": limits,
        "won": won,
        "waitlisted": len(placings) - won,
        "order": lottery.order_hash(placings),
    }
    audit.record(username, "season.draw", season.title, season.site, detail)
    return Drawn(seed, placings)


def file_results(season: Season, placings: list[lottery.Placing], now: datetime) -> None:
    """Applications' status and rank, the rosters (winners enrolled; the rest waitlisted, their
    `at` one second apart in draw order so that the promotion takes them in that order), and the
    items: enrollment:<course>:<member> and result:<season>:<member>."""
    courses = {c.key: c for c in Course.select().join(SeasonCourse).where(SeasonCourse.season == season)}
    placed = {(p.course, p.member_no): p for p in placings}
    rows = list(Application.select(Application, Course).join(Course).where(Application.season == season))
    for a in rows:
        p = placed.get((a.course.key, a.member_no))
        if p is not None:
            a.status, a.rank = ("won" if p.won else "waitlisted"), p.rank
    _write_applications(rows)
    roster, enrolled_items = [], []
    for p in placings:
        course = courses[p.course]
        status, at = ("enrolled" if p.won else "waitlisted"), now + timedelta(seconds=p.rank)
        roster.append((course.id, p.member_no, status, at))
        enrolled_items.append(
            (f"enrollment:{p.course}:{p.member_no}", classes.enrollment_item(p.course, p.member_no, status, at))
        )
    sql.upsert(
        Enrollment, ("course_id", "member_no", "status", "at"), roster, ("course_id", "member_no"), ("status", "at")
    )
    site_scope = notices.scope(season.site)
    sql.publish("items", enrolled_items, lambda data: site_scope)
    _publish_results(season, rows, placed)


def _publish_results(season: Season, rows: list[Application], placed: dict) -> None:
    """result:<season>:<member> for each senior with an application drawn or refused, to their own
    site's kiosks (the agreed format: docs/sync-protocol.md)."""
    told: dict[str, list[dict]] = {}
    for a in sorted(rows, key=lambda a: (a.course.title, a.course.key)):
        if a.status not in ("won", "waitlisted", "refused"):
            continue
        p = placed.get((a.course.key, a.member_no))
        told.setdefault(a.member_no, []).append(
            {
                "course": a.course.key,
                "title": a.course.title,
                "status": a.status,
                "rank": a.rank,
                "waitlist_position": p.waitlist_position if p is not None else None,
                "refusal": a.refusal,
            }
        )
    numbers = sorted(told)
    homes = dict(
        Member.select(Member.member_no, Site.code).join(Site).where(Member.member_no.in_(numbers)).tuples()
        if numbers
        else []
    )
    by_scope: dict[str, list[tuple[str, dict]]] = {}
    for member_no, courses in told.items():
        scope = f"site:{homes.get(member_no, season.site.code)}"
        data = {"kind": "result", "season": season.key, "courses": courses}
        by_scope.setdefault(scope, []).append((f"result:{season.key}:{member_no}", data))
    for scope, items in sorted(by_scope.items()):
        sql.publish("items", items, lambda data, scope=scope: scope)


def _write_applications(rows: list[Application]) -> None:
    values = [
        (
            a.id,
            a.season_id,
            a.course_id,
            a.member_no,
            a.status,
            a.priority,
            a.rank,
            a.age_checked,
            a.applied_at,
            a.by,
            a.reason,
            a.refusal,
            a.older,
        )
        for a in rows
    ]
    sql.upsert(Application, _APPLICATION_COLUMNS, values, ("id",), ("status", "priority", "rank", "refusal"))


# --- verification ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """A draw re-run: the hash of the list as it stands, the seed from the numbers given, the
    order, and what differs from the result filed (empty: it matches)."""

    applicants_hash: str
    hash_matches: bool
    seed: str
    seed_matches: bool
    placings: list[lottery.Placing]
    differences: list[str]

    @property
    def matches(self) -> bool:
        return self.hash_matches and self.seed_matches and not self.differences


def verify(season: Season, public_numbers: str | None = None) -> Verification:
    """Re-run a drawn season's draw from its filed list (the applications drawn, with their groups)
    and `public_numbers` (the published ones when None); compare with the ranks and results filed."""
    if season.drawn_at is None:
        raise SeasonError("这个报名季还没有摇号。")
    drawn = list(
        Application.select(Application, Course)
        .join(Course)
        .where(Application.season == season, Application.status.in_(["won", "waitlisted"]))
    )
    inputs = [lottery.Entry(a.course.key, a.member_no, a.priority) for a in drawn]
    hashed = lottery.applicants_hash(inputs)
    seed = lottery.seed(season.applicants_hash, public_numbers if public_numbers is not None else season.public_numbers)
    cuts: dict[str, int] = {}
    for a in drawn:  # where someone waits, the winners are the places there were
        cuts.setdefault(a.course.key, 0)
        cuts[a.course.key] += a.status == "won"
    waiting = {a.course.key for a in drawn if a.status == "waitlisted"}
    placings = lottery.draw(inputs, {k: n for k, n in cuts.items() if k in waiting}, seed)
    filed = {(a.course.key, a.member_no): a for a in drawn}
    differences = []
    for p in placings:
        a = filed[p.course, p.member_no]
        if a.rank != p.rank or (a.status == "won") != p.won:
            differences.append(f"{a.course.title} {p.member_no}: 记录第 {a.rank} 名 {a.status}，重算第 {p.rank} 名")
    return Verification(hashed, hashed == season.applicants_hash, seed, seed == season.seed, placings, differences)
