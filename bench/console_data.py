"""The console's 10-year dataset, built straight into a PostgreSQL store of the bureau (bench/console.py).

40 sites in a hierarchy (a city, 4 districts, 10 streets; 1 university, 4 branches, centres and
teaching points), 50,000 members (names with their initials, gender, birth years 1930-1966, id_hash,
phone's last 4) who joined over the ten years and some of whom stopped coming, 2 terms a year of
~15 courses a site with their rosters (capacity, then a waitlist), activities with registrations,
~2,000,000 sign-ins (lessons and activities) each with its points entry in the ledger (the running
balance, now and then a redemption), notices, audit entries, and accounts of each role.

Deterministic from the seed.  The bulk tables go in with COPY (psycopg2 copy_expert) a site at a
time in one transaction, their secondary indexes dropped first and made again at the end; the
small ones (regions, sites, kiosks, accounts) through the bureau's own code.  The kiosks' keys are
sealed with $BUREAU_SECRET (bureau/sealing.py): the cache keeps the secret beside its dump.

    python -m bench.console_data URL [--tiny]    build into the (empty) database URL
"""

import io
import json
import multiprocessing
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import psycopg2

SEED = 20261207
WORKERS = 2  # processes making rows: the machine's 2 cores
PASSWORD = "bench-console-2026"  # every account's (a bench store, on loopback)
LAST_DAY = date(2026, 12, 4)  # the data's last day, a Friday; "now" of the pages is the real today


@dataclass(frozen=True)
class Size:
    members: int = 50_000
    signins: int = 2_000_000
    years: int = 10
    sites: int = 40
    courses_per_term: int = 15
    activities_per_site_year: int = 24
    notices_per_site_year: int = 6
    audit: int = 20_000


FULL = Size()
TINY = Size(
    members=400,
    signins=8_000,
    years=2,
    sites=6,
    courses_per_term=3,
    activities_per_site_year=4,
    notices_per_site_year=2,
    audit=100,
)


@dataclass(frozen=True)
class Built:
    sites: list[str]  # codes, the university first
    districts: list[str]  # region names
    admin: str
    viewer: str
    staff: str  # the first centre's staff
    staff_site: str
    counts: dict[str, int]
    seconds: float


# --- names -----------------------------------------------------------------------------------------

_SURNAMES = [
    ("王", "w"), ("李", "l"), ("张", "z"), ("刘", "l"), ("陈", "c"), ("杨", "y"), ("黄", "h"), ("赵", "z"),
    ("吴", "w"), ("周", "z"), ("徐", "x"), ("孙", "s"), ("马", "m"), ("朱", "z"), ("胡", "h"), ("郭", "g"),
]  # fmt: skip
_GIVEN = [
    ("建华", "jh"), ("秀英", "xy"), ("桂兰", "gl"), ("国庆", "gq"), ("玉珍", "yz"), ("德明", "dm"), ("淑芬", "sf"),
    ("志强", "zq"), ("凤英", "fy"), ("振华", "zh"), ("秀兰", "xl"), ("建国", "jg"), ("丽华", "lh"), ("春生", "cs"),
    ("美玲", "ml"), ("福林", "fl"), ("桂芳", "gf"), ("卫东", "wd"), ("素珍", "sz"), ("长青", "cq"),
]  # fmt: skip
_COURSES = [
    ("书法", "lesson"), ("国画", "lesson"), ("太极拳", "lesson"), ("声乐合唱", "lesson"), ("智能手机", "lesson"),
    ("八段锦", "lesson"), ("摄影", "lesson"), ("舞蹈", "lesson"), ("葫芦丝", "lesson"), ("养生保健", "lesson"),
    ("英语口语", "lesson"), ("剪纸", "lesson"), ("京剧", "lesson"), ("电子琴", "lesson"), ("诗词鉴赏", "lesson"),
]  # fmt: skip
_ACTIVITIES = [
    ("健康讲座", "health_talk"), ("重阳节文艺汇演", "performance"), ("健步行", "walk"), ("主题党日", "party_day"),
    ("形势报告会", "report"), ("志愿服务", "volunteer"), ("书画展", "activity"), ("防诈骗讲座", "health_talk"),
]  # fmt: skip
_SLOTS = (("08:30", "10:30"), ("10:30", "12:00"), ("14:00", "16:00"), ("16:00", "17:30"))
_DISTRICTS = ("东城区", "西城区", "南湖区", "北山区")
_STREETS = (
    ("东华街道", "朝阳街道", "安定街道"),
    ("西关街道", "新华街道"),
    ("湖滨街道", "南门街道", "白塔镇"),
    ("北塔街道", "山前镇"),
)


def _site_plan(n: int) -> list[tuple[str, str, str, tuple[int, int | None]]]:
    """(code, name, kind, (district, street or None)) of `n` sites: the university at the city, a
    branch per district, then centres and teaching points on the streets."""
    plan = [("LNDX-001", "示范市老年大学", "university", (-1, None))]
    for d, district in enumerate(_DISTRICTS[: max(1, min(4, n - 1))]):
        plan.append((f"FX-{d + 1:03d}", f"老年大学{district}分校", "branch", (d, None)))
    streets = [(d, s) for d in range(len(_DISTRICTS)) for s in range(len(_STREETS[d]))]
    k = 0
    while len(plan) < n:
        d, s = streets[k % len(streets)]
        kind = "center" if k % 2 == 0 else "point"
        label = "老干部活动中心" if kind == "center" else f"教学点{k // len(streets) + 1}"
        code = f"{'ZX' if kind == 'center' else 'JX'}-{k + 1:03d}"
        plan.append((code, f"{_STREETS[d][s]}{label}", kind, (d, s)))
        k += 1
    return plan[:n]


# --- building ---------------------------------------------------------------------------------------


def build(store_url: str, size: Size = FULL, seed: int = SEED, say=print) -> Built:
    """The dataset into the empty store at `store_url` (migrated here)."""
    from bureau.schema import open_store
    from bureau.store import close_store

    started = time.perf_counter()
    rng = random.Random(seed)
    open_store(store_url)
    try:
        sites, kiosks, districts = _hierarchy(size)
        accounts = _accounts(sites)
    finally:
        close_store()
    connection = psycopg2.connect(store_url)
    counts: dict[str, int] = defaultdict(int)
    try:
        with connection, connection.cursor() as cursor:
            indexes = _drop_indexes(cursor, BULK)
            _load(cursor, size, rng, seed, sites, kiosks, accounts, counts, say)
            say(f"  rows loaded in {time.perf_counter() - started:.0f} s; making {len(indexes)} indexes …", flush=True)
            for statement in indexes:
                cursor.execute(statement)
            for table in ("term", "course", "activity", "member"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"
                )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()
    codes = [s[0] for s in sites]
    staff_site = next((s[0] for s in sites if s[2] == "center"), codes[-1])
    return Built(
        codes,
        list(_DISTRICTS[: len(districts)]),
        "admin",
        "viewer",
        f"staff-{staff_site.lower()}",
        staff_site,
        dict(counts),
        time.perf_counter() - started,
    )


# Tables COPY fills: their secondary indexes are made after the rows.
BULK = ("member", "attendance", "ledger_entry", "enrollment", "signup", "course", "term", "activity", "audit_entry")


def _drop_indexes(cursor, tables: Iterable[str]) -> list[str]:
    """Drop the tables' indexes but their primary keys; the statements that make them again."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT LIKE '%%_pkey'",
        (list(tables),),
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _hierarchy(size: Size) -> tuple[list[tuple], dict[str, int], list[int]]:
    """Regions and sites (through bureau.admin, so the "sites" stream has them) with a kiosk each:
    [(code, pk, kind, prefix, district index)], {code: kiosk pk}, the districts' region pks."""
    from bureau import admin
    from bureau.models import Region, Site
    from bureau.store import write

    with write():
        city = Region.create(name="示范市", level="city")
        districts = [Region.create(name=d, level="district", parent=city) for d in _DISTRICTS]
        streets = [
            [Region.create(name=s, level="street", parent=districts[d]) for s in names]
            for d, names in enumerate(_STREETS)
        ]
    sites, kiosks = [], {}
    for code, name, kind, (d, s) in _site_plan(size.sites):
        site = admin.add_site(code, name)
        region = city if d < 0 else districts[d] if s is None else streets[d][s]
        with write():
            Site.update(kind=kind, region=region).where(Site.id == site.id).execute()
        kiosks[code] = admin.add_kiosk(code, "一楼大厅").id
        sites.append((code, site.id, kind, site.prefix, d))
    return sites, kiosks, [d.id for d in districts]


def _accounts(sites: list[tuple]) -> list[str]:
    """Two admins, three viewers and a staff account per site, all with PASSWORD (hashed once:
    scrypt is slow on purpose); their usernames."""
    from bureau import users
    from bureau.models import BureauUser
    from bureau.store import write

    hashed = users.hash_password(PASSWORD)
    rows = [
        ("admin", "admin", None, "局管理员"),
        ("admin2", "admin", None, "局管理员二"),
        ("viewer", "viewer", None, "局领导"),
    ]
    rows += [(f"viewer{n}", "viewer", None, f"查看{n}") for n in (2, 3)]
    rows += [(f"staff-{code.lower()}", "staff", pk, f"{code} 工作人员") for code, pk, *_ in sites]
    with write():
        for username, role, site, full_name in rows:
            BureauUser.create(username=username, password_hash=hashed, role=role, site=site, full_name=full_name)
    return [r[0] for r in rows]


# --- the bulk rows ------------------------------------------------------------------------------------


@dataclass
class Person:
    no: str
    site: int
    joined: date
    stopped: date | None  # the last day they came (None: still comes)
    rate: float  # how keen: sign-ins scale with it
    balance: int = 0


def _terms(years: int) -> list[tuple[str, date, date]]:
    first = LAST_DAY.year - years + 1
    out = []
    for y in range(first, LAST_DAY.year + 1):
        out.append((f"{y} 春季", date(y, 3, 1), date(y, 7, 10)))
        out.append((f"{y} 秋季", date(y, 9, 1), date(y + 1, 1, 15)))
    return out


def _load(cursor, size: Size, rng: random.Random, seed: int, sites, kiosks, accounts, counts, say) -> None:
    first_day = date(LAST_DAY.year - size.years + 1, 1, 1)
    span = (LAST_DAY - first_day).days
    weights = [
        6 if kind == "university" else 3 if kind == "branch" else 2 if kind == "center" else 1
        for _, _, kind, _, _ in sites
    ]
    people: dict[int, list[Person]] = defaultdict(list)
    member_rows = []
    numbers: dict[int, int] = defaultdict(int)
    for _ in range(size.members):
        code, pk, _, prefix, _ = rng.choices(sites, weights)[0]
        numbers[pk] += 1
        joined = first_day + timedelta(days=int(span * rng.random() ** 1.3))  # more joined early on
        stopped = None
        if rng.random() < 0.35:  # some stop coming
            stopped = joined + timedelta(days=rng.randrange(30, max(31, (LAST_DAY - joined).days + 1)))
            stopped = min(stopped, LAST_DAY)
        person = Person(f"{prefix}{numbers[pk]:06d}", pk, joined, stopped, rng.lognormvariate(0, 0.6))
        people[pk].append(person)
        surname, s_init = rng.choice(_SURNAMES)
        given, g_init = rng.choice(_GIVEN)
        member_rows.append((person, surname + given, s_init + g_init, rng))
    terms = _terms(size.years)
    activity_share = 0.2
    # Each term's lesson sign-ins: this many for each of a site's members, shared out by keenness.
    per_member_term = size.signins * (1 - activity_share) / size.members / len(terms)
    jobs = [
        (n, code, pk, kiosks[code], people[pk], terms, size, seed, per_member_term)
        for n, (code, pk, *_) in enumerate(sites)
    ]
    # Two processes make the sites' rows (the Python is the slow part) while this one COPYs them.
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        for (code, pk, *_), (tables, balances, took) in zip(sites, pool.imap(_site_job, jobs)):
            for table, (columns, text) in tables.items():
                counts[table] += _copy(cursor, table, columns, [text])
            for p in people[pk]:
                p.balance = balances[p.no]
            say(f"  {code}: {len(people[pk]):,} members, {counts['attendance']:,} sign-ins so far ({took:.1f} s)")
    counts["member"] = _copy(cursor, "member", MEMBER_COLUMNS, (_member_row(*m) for m in member_rows))
    counts["notice"] = _copy(cursor, "notice", NOTICE_COLUMNS, _notices(sites, size, rng))
    counts["audit_entry"] = _copy(cursor, "audit_entry", AUDIT_COLUMNS, _audit(sites, accounts, size, rng))
    # Upcoming activities for every site (site NULL), as the bureau publishes a few a year.
    ids = {"activity": len(sites) * size.activities_per_site_year * size.years}
    counts["activity"] += _copy(cursor, "activity", ACTIVITY_COLUMNS, _bureau_activities(rng, ids))


def _site_job(job: tuple) -> tuple[dict[str, tuple[tuple[str, ...], str]], dict[str, int], float]:
    """One site's rows as COPY text (in a worker process), its members' balances, and the seconds taken.
    Ids are numbered in blocks of each site, and each site has a generator of its own seed, so the
    rows do not depend on which process made them."""
    n, code, pk, kiosk, group, terms, size, seed, per_member_term = job
    started = time.perf_counter()
    rng = random.Random(seed * 1000 + n)
    ids = {
        "term": n * len(terms),
        "course": n * len(terms) * size.courses_per_term,
        "activity": n * size.activities_per_site_year * size.years,
    }
    tables = _site_rows(code, pk, kiosk, group, terms, size, rng, ids, per_member_term, f"staff-{code.lower()}")
    text = {t: (columns, "".join(_line(r) for r in rows)) for t, (columns, rows) in tables.items()}
    return text, {p.no: p.balance for p in group}, time.perf_counter() - started


MEMBER_COLUMNS = (
    "member_no", "name", "gender", "birth_year", "id_hash", "id_last4", "phone_last4", "site_id", "joined", "active",
    "balance", "updated_at", "card_issue", "initials",
)  # fmt: skip
ATTENDANCE_COLUMNS = (
    "event_id",
    "member_no",
    "site_id",
    "kiosk_id",
    "kind",
    "title",
    "start",
    "at",
    "business_day",
    "method",
)
LEDGER_COLUMNS = (
    "entry_id", "member_no", "amount", "kind", "rule", "site_id", "kiosk_id", "business_day", "award_key",
    "balance_after", "note", "at", "recorded_at",
)  # fmt: skip
TERM_COLUMNS = ("id", "site_id", "name", "start", "end")
COURSE_COLUMNS = (
    "id", "key", "site_id", "term_id", "title", "category", "teacher", "room", "capacity", "schedule", "created_by",
    "created_at",
)  # fmt: skip
ENROLLMENT_COLUMNS = ("course_id", "member_no", "status", "at")
ACTIVITY_COLUMNS = (
    "id", "key", "site_id", "title", "category", "place", "start", "end", "capacity", "waitlist", "open",
    "cancelled_at", "cancel_reason", "created_by", "created_at", "updated_at",
)  # fmt: skip
SIGNUP_COLUMNS = ("site_id", "member_no", "activity_id", "title", "start", "status", "at")
NOTICE_COLUMNS = (
    "key",
    "site_id",
    "kind",
    "title",
    "body",
    "start",
    "end",
    "source",
    "withdrawn_at",
    "created_by",
    "created_at",
)
AUDIT_COLUMNS = ("at", "username", "site_id", "action", "target", "detail", "reason")


def _member_row(p: Person, name: str, initials: str, rng: random.Random) -> tuple:
    id_hash = (
        uuid.UUID(int=rng.getrandbits(128)).hex + uuid.UUID(int=rng.getrandbits(128)).hex[:11]
    )  # 43 like base64url
    return (
        p.no, name, rng.choice("男女女"), rng.randint(1930, 1966), id_hash, f"{rng.randrange(10000):04d}",
        f"{rng.randrange(10000):04d}", p.site, p.joined, p.stopped is None, p.balance,
        datetime.combine(p.stopped or LAST_DAY, datetime.min.time()), 1, initials,
    )  # fmt: skip


def _key(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128)).hex


def _site_rows(
    code, pk, kiosk, group: list[Person], terms, size: Size, rng, ids, per_member_term: float, staff: str
) -> dict:
    """Every bulk row of one site: terms, courses, enrolments, activities, registrations, and the
    sign-ins with their ledger entries in each member's time order."""
    term_rows, course_rows, enrol_rows, activity_rows, signup_rows = [], [], [], [], []
    signins: dict[str, list[tuple]] = defaultdict(list)  # member_no → (at, kind, title, start)
    for name, t_start, t_end in terms:
        ids["term"] += 1
        term_id = ids["term"]
        term_rows.append((term_id, pk, name, t_start, t_end))
        active = [p for p in group if p.joined <= t_end and (p.stopped is None or p.stopped >= t_start)]
        courses = []
        for n in range(size.courses_per_term):
            ids["course"] += 1
            title, category = _COURSES[n % len(_COURSES)]
            weekday, (begin, end) = n % 5 + 1, _SLOTS[n % len(_SLOTS)]
            capacity = rng.choice((30, 40, 50, 60))
            course_rows.append(
                (
                    ids["course"], _key(rng)[:32], pk, term_id, f"{title}（{n // len(_COURSES) + 1}）班", category,
                    f"{rng.choice(_SURNAMES)[0]}老师", f"{rng.randrange(1, 4)}0{rng.randrange(1, 9)}教室", capacity,
                    json.dumps([{"weekday": weekday, "start": begin, "end": end}]), staff,
                    datetime.combine(t_start - timedelta(days=20), datetime.min.time()),
                )
            )  # fmt: skip
            at = datetime.strptime(begin, "%H:%M").time()
            lessons = [datetime.combine(w + timedelta(days=weekday - 1), at) for w in _weeks(t_start, t_end)]
            courses.append([ids["course"], course_rows[-1][4], lessons, capacity, 0, 0])
        on_roster: list[tuple[Person, list]] = []
        for p in rng.sample(active, len(active)):
            for course in rng.sample(courses, min(len(courses), rng.choice((1, 1, 2)))):
                course_id, _, _, capacity, enrolled, waiting = course
                if enrolled < capacity:
                    course[4] += 1
                    status = "enrolled"
                    on_roster.append((p, course))
                elif waiting < 8:
                    course[5] += 1
                    status = "waitlisted"
                else:
                    continue
                enrolled_at = datetime.combine(t_start - timedelta(days=rng.randrange(1, 20)), datetime.min.time())
                enrol_rows.append((course_id, p.no, status, enrolled_at))
        per_rate = per_member_term * len(group) / max(1.0, sum(p.rate for p, _ in on_roster))
        for p, (_, title, lessons, *_) in on_roster:
            last = p.stopped or LAST_DAY
            held = [d for d in lessons if p.joined <= d.date() <= last]
            for start in rng.sample(held, min(_stochastic_round(p.rate * per_rate, rng), len(held))):
                signins[p.no].append((start + timedelta(minutes=int(rng.random() * 25) - 15), "lesson", title, start))
    first_day, taken = terms[0][1].replace(month=1), set()
    for _ in range(size.activities_per_site_year * size.years):
        ids["activity"] += 1
        title, category = rng.choice(_ACTIVITIES)
        start = _free_moment(rng, first_day, title, taken)
        capacity = rng.choice((0, 50, 80, 120))
        cancelled = start + timedelta(days=-2) if rng.random() < 0.03 else None
        activity_rows.append(
            (
                ids["activity"], _key(rng), pk, title, category, "多功能厅", start, start + timedelta(hours=2),
                capacity, True, capacity == 0, cancelled, "天气原因" if cancelled else "", staff,
                start - timedelta(days=14), start - timedelta(days=14),
            )
        )  # fmt: skip
        if cancelled:
            continue
        here = [p for p in group if p.joined <= start.date() <= (p.stopped or LAST_DAY)]
        wanted = min(len(here), int(len(group) * 0.045 * rng.uniform(0.5, 1.5)) + 1)
        for p in rng.sample(here, wanted):
            registered = start - timedelta(days=rng.randrange(1, 10))
            status = "registered" if capacity == 0 or rng.random() < 0.9 else "waitlisted"
            signup_rows.append((pk, p.no, ids["activity"], title, start, status, registered))
            if status == "registered" and rng.random() < 0.85:
                signins[p.no].append((start + timedelta(minutes=rng.randrange(-30, 15)), "activity", title, start))
    attendance_rows, ledger_rows = _signins(pk, kiosk, group, signins, rng)
    return {
        "term": (TERM_COLUMNS, term_rows),
        "course": (COURSE_COLUMNS, course_rows),
        "enrollment": (ENROLLMENT_COLUMNS, enrol_rows),
        "activity": (ACTIVITY_COLUMNS, activity_rows),
        "signup": (SIGNUP_COLUMNS, signup_rows),
        "attendance": (ATTENDANCE_COLUMNS, attendance_rows),
        "ledger_entry": (LEDGER_COLUMNS, ledger_rows),
    }


def _signins(pk, kiosk, group: list[Person], signins: dict, rng) -> tuple[list[str], list[str]]:
    """Attendance and ledger rows (COPY lines: 4,000,000 of them, formatted once) of each member's
    sign-ins in time order; every 40th one a redemption follows when the balance allows (礼品兑换)."""
    attendance, ledger = [], []
    for p in group:
        balance = 0
        for n, (at, kind, title, start) in enumerate(sorted(signins.get(p.no, ()))):
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            day = at.date()
            method = "qr" if rng.random() < 0.6 else "idcard"
            attendance.append(f"{event_id}\t{p.no}\t{pk}\t{kiosk}\t{kind}\t{title}\t{start}\t{at}\t{day}\t{method}\n")
            amount = 2 if kind == "lesson" else 5
            balance += amount
            award = f"{kind}|{p.no}|{title}|{start.isoformat()}"
            ledger.append(
                f"{event_id}\t{p.no}\t{amount}\t{kind}\t{kind}_attendance\t{pk}\t{kiosk}\t{day}\t{award}\t{balance}\t\t{at}\t{at}\n"
            )
            if n % 40 == 39 and balance >= 50:
                balance -= 50
                redeem = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                ledger.append(
                    f"{redeem}\t{p.no}\t-50\tredeem\t\t{pk}\t{kiosk}\t{day}\t\\N\t{balance}\t兑换：毛巾\t{at}\t{at}\n"
                )
        p.balance = balance
    return attendance, ledger


def _free_moment(rng, first_day: date, title: str, taken: set) -> datetime:
    """A morning or afternoon of the years for an activity: no two of a site's with one title at
    one moment (a sign-in's award key is the title and start)."""
    while True:
        day = first_day + timedelta(days=rng.randrange((LAST_DAY - first_day).days))
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.choice((9, 14)))
        if (title, start) not in taken:
            taken.add((title, start))
            return start


def _weeks(start: date, end: date) -> list[date]:
    """The Mondays of the term's weeks."""
    monday = start - timedelta(days=start.weekday())
    out = []
    while monday <= end - timedelta(days=4):
        if monday >= start - timedelta(days=1):
            out.append(monday)
        monday += timedelta(days=7)
    return out


def _stochastic_round(x: float, rng: random.Random) -> int:
    whole = int(x)
    return whole + (rng.random() < x - whole)


def _notices(sites, size: Size, rng) -> Iterator[tuple]:
    kinds = (("notice", "通知：{}"), ("suspend", "停课：{}"), ("move", "调课：{}"))
    topics = ("冬季作息调整", "书法班停课一次", "太极拳改到下午", "体检安排", "端午节放假", "新学期报名")
    first = date(LAST_DAY.year - size.years + 1, 1, 1)
    for _, pk, *_ in [*sites, (None, None)]:
        for _ in range(size.notices_per_site_year * size.years):
            start = datetime.combine(
                first + timedelta(days=rng.randrange((LAST_DAY - first).days)), datetime.min.time()
            )
            kind, title = rng.choice(kinds)
            withdrawn = start + timedelta(days=1) if rng.random() < 0.05 else None
            yield (
                _key(rng), pk, kind, title.format(rng.choice(topics)), "请各位学员相互转告。", start,
                start + timedelta(days=rng.randrange(3, 15)), "", withdrawn, "admin", start - timedelta(days=1),
            )  # fmt: skip


def _audit(sites, accounts, size: Size, rng) -> Iterator[tuple]:
    actions = (
        "activity.create",
        "activity.update",
        "notice.publish",
        "course.create",
        "member.update",
        "enrollment.add",
    )
    first = datetime(LAST_DAY.year - size.years + 1, 1, 1)
    seconds = int((datetime.combine(LAST_DAY, datetime.min.time()) - first).total_seconds())
    moments = sorted(first + timedelta(seconds=rng.randrange(seconds)) for _ in range(size.audit))
    for at in moments:
        code, pk, *_ = rng.choice(sites)
        user = f"staff-{code.lower()}" if rng.random() < 0.7 else rng.choice(("admin", "admin2"))
        action = rng.choice(actions)
        yield (at, user, pk, action, _key(rng)[:12], json.dumps({"site": code}, ensure_ascii=False), "")


def _bureau_activities(rng, ids) -> Iterator[tuple]:
    for n in range(6):
        ids["activity"] += 1
        start = datetime.combine(LAST_DAY + timedelta(days=7 * (n + 1)), datetime.min.time()) + timedelta(hours=9)
        title, category = _ACTIVITIES[n % len(_ACTIVITIES)]
        yield (
            ids["activity"], _key(rng), None, f"全市{title}", category, "市老年大学礼堂", start,
            start + timedelta(hours=2), 0, True, True, None, "", "admin", start - timedelta(days=20),
            start - timedelta(days=20),
        )  # fmt: skip


# --- COPY ----------------------------------------------------------------------------------------------


def _copy(cursor, table: str, columns: tuple[str, ...], rows: Iterable[tuple | str], chunk: int = 100_000) -> int:
    """COPY `rows` (tuples, or text already in COPY's format: a line or many) into `table`, `chunk`
    at a time; how many rows."""
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table}" ({names}) FROM STDIN'
    total, lines = 0, []
    for row in rows:
        lines.append(_line(row))
        if len(lines) == chunk:
            total += _send(cursor, statement, lines)
            lines = []
    return total + _send(cursor, statement, lines)


def _send(cursor, statement: str, lines: list[str]) -> int:
    text = "".join(lines)
    if text:
        cursor.copy_expert(statement, io.StringIO(text))
    return text.count("\n")


def _line(row: tuple | str) -> str:
    return row if isinstance(row, str) else "\t".join([_cell(v) for v in row]) + "\n"


def _cell(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(value)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    built = build(argv[0], TINY if "--tiny" in argv else FULL)
    print(f"built in {built.seconds:.0f} s: {built.counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
