"""The 10-year database: a site's kiosk after ten years of use, built once and cached.

50,000 members on the bureau's roster, 20 terms of about 150 courses whose lessons come from
weekly schedules, about 2,400 members active each term with 3-5 courses each, activities with
registrations, and 2,000,000 sign-ins, each with its award by the points rules (daily caps
included) and its outbox facts (acked: the kiosk has synced).  Besides the awards, each ledger
holds a few percent of volunteer service, redemptions and corrections, as a passbook shows them.
The bureau has confirmed every entry but those of the last few days, which are still
provisional.  "Now" in it is ANCHOR, a Monday morning in week 11 of the last term, so lessons are
due then and on every weekday after it; nobody has signed in on or after that day.

The schema comes from kiosk.store.db.open_db (the real migrations); rows go in with executemany on
the underlying sqlite3 connection, one transaction per term, with journalling off while building
into a temporary folder that is renamed into place at the end.  The cache lives under
$YINLING_BENCH_DIR (default: yinling-bench in the temporary folder), keyed by a hash of this
file and the size, so a changed generator builds a new database.
"""

import base64
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from peewee import SqliteDatabase

from bench import Figure
from kiosk import config
from kiosk.identity import ids
from kiosk.points import awards
from kiosk.programme.schedule import lesson_times
from kiosk.store.db import open_db
from kiosk.store.models import Activity, Course, Term


@dataclass(frozen=True)
class Size:
    members: int
    signins: int
    years: int = 10
    courses_per_term: int = 150
    active_per_term: int = 2_400
    activities_per_term: int = 30
    registrations_per_activity: int = 60


FULL = Size(members=50_000, signins=2_000_000)
ANCHOR = datetime(2026, 11, 16, 8, 40)  # a Monday: the 08:30 lessons are due
SEED = 20261116

_TERM_WEEKS, _TERM_SPACING_WEEKS, _ANCHOR_WEEK = 18, 26, 11
_SLOT_STARTS = ("08:30", "10:30", "14:00", "16:00")  # 2 h apart: never two due at once
_OTHER_SITES = 4
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "建华国明秀英文志玉兰红军平德淑芳桂珍永福春海林强凤荣成金庆云丽新学正振兴树忠"
_REGIONS = (
    "110101",
    "110105",
    "310104",
    "310115",
    "440106",
    "320102",
    "330106",
    "510107",
    "420102",
    "610113",
    "370102",
    "210102",
)
_CATEGORIES = (
    "书法",
    "国画",
    "声乐合唱",
    "太极拳",
    "摄影",
    "智能手机",
    "舞蹈",
    "英语会话",
    "养生保健",
    "京剧",
    "钢琴",
    "诗词鉴赏",
    "剪纸",
    "模特走秀",
    "电子琴",
    "八段锦",
)
_ACTIVITY_KINDS = (
    ("report", "形势报告会"),
    ("walk", "健步行"),
    ("party_day", "主题党日"),
    ("performance", "文艺汇演"),
    ("exhibition", "书画展"),
    ("volunteer", "志愿服务"),
)
_METHODS = ("qr",) * 12 + ("idcard",) * 7 + ("staff",)
# Staff's entries, as shares of the sign-ins: volunteer hours, redemptions and corrections.
_VOLUNTEER_SHARE, _REDEEM_SHARE, _CORRECTION_SHARE = 0.015, 0.012, 0.003
_VOLUNTEER_HOURS = (2, 2.5, 3, 3, 4, 6)
_GIFTS = (
    ("环保袋", 15),
    ("毛巾", 20),
    ("书法字帖", 30),
    ("雨伞", 40),
    ("老花镜", 50),
    ("保温杯", 60),
    ("电子血压计", 200),
)
_REASONS = ("重复计分", "代刷卡签到", "课程临时取消", "误签其他班级")
_PROVISIONAL_DAYS = 3  # the bureau has not confirmed the entries of the last days yet

# Every INSERT names its columns: later migrations add columns (with defaults) to these tables.
_COLUMNS = {
    "site": ("id", "code", "name", "kind", "address"),
    "member": (
        "id",
        "member_no",
        "name",
        "id_hash",
        "gender",
        "phone_last4",
        "site_id",
        "card_issue",
        "points_confirmed",
        "active",
        "large_text",
        "voice",
    ),
    "term": ("id", "site_id", "name", "start", "end"),
    "holiday": ("term_id", "day", "name"),
    "course": ("id", "term_id", "name", "category", "teacher", "room", "capacity", "schedule"),
    "lesson": ("id", "course_id", "start", "end", "room", "cancelled"),
    "enrollment": ("member_id", "course_id", "status"),
    "activity": ("id", "site_id", "title", "kind", "place", "start", "end", "capacity", "open", "points", "cancelled"),
    "registration": ("member_id", "activity_id", "status", "at"),
    "sign_in": ("id", "event_id", "member_id", "lesson_id", "activity_id", "at", "method", "kiosk_id"),
    "points_entry": (
        "id",
        "event_id",
        "member_id",
        "amount",
        "kind",
        "rule",
        "signin_id",
        "reverses_id",
        "status",
        "at",
        "note",
    ),
    "outbox": ("seq", "event_id", "kind", "schema_v", "wall_ms", "payload", "state"),
}


# -- the cache ---------------------------------------------------------------------------------


def bench_root() -> Path:
    return Path(os.environ.get("YINLING_BENCH_DIR") or Path(tempfile.gettempdir()) / "yinling-bench")


def cache_key(size: Size) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes() + repr((size, ANCHOR, SEED)).encode())
    return f"tenyear-{size.members}m-{size.signins}s-{digest.hexdigest()[:12]}"


def ensure(size: Size = FULL, root: Path | None = None) -> tuple[Path, dict]:
    """The cached database folder for `size` and its manifest, building it first if needed."""
    root = root or bench_root()
    folder = root / cache_key(size)
    if not (folder / "manifest.json").is_file():
        print(f"building the 10-year database in {folder} (once; it is cached) ...", flush=True)
        _build_into(folder, size)
        _remove_stale(root, size, keep=folder)
    # Opening migrates it once, as a kiosk's database is migrated at start-up.
    open_db(folder).close()
    return folder, json.loads((folder / "manifest.json").read_text())


def _build_into(folder: Path, size: Size) -> None:
    tmp = folder.with_name(f"{folder.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    started = time.perf_counter()
    counts = build(tmp, size, ANCHOR, config.load(data_dir=tmp))
    flush(tmp / "kiosk.db")  # built without fsync: write it out now, not during a measurement
    manifest = {
        "size": astuple(size),
        "anchor": ANCHOR.isoformat(),
        "counts": counts,
        "build_s": round(time.perf_counter() - started, 1),
        "bytes": (tmp / "kiosk.db").stat().st_size,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    try:
        tmp.rename(folder)
    except OSError:  # another run finished the same build first
        shutil.rmtree(tmp)


def flush(path: Path) -> None:
    """fsync a file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(root: Path, size: Size, keep: Path) -> None:
    prefix = f"tenyear-{size.members}m-{size.signins}s-"
    for old in root.glob(prefix + "*"):
        if old != keep and ".building-" not in old.name:
            shutil.rmtree(old, ignore_errors=True)


def run() -> list[Figure]:
    """`python -m bench tenyear`: build (or find) the cached database and describe it."""
    folder, manifest = ensure()
    c = manifest["counts"]
    text = (
        f"{c['member']:,} members, {c['sign_in']:,} sign-ins, {c['lesson']:,} lessons, "
        f"{c['enrollment']:,} enrolments, {c['outbox']:,} outbox facts; "
        f"{manifest['bytes'] / 1e9:.2f} GB, built in {manifest['build_s']:.0f} s"
    )
    print(f"10-year database ({folder}): {text}")
    return [Figure("10-year database", text)]


# -- the generator -----------------------------------------------------------------------------


@dataclass
class _TermData:
    """What one term holds, kept in memory to draw its sign-ins from."""

    start: date
    active: list[int]
    course_names: dict[int, str] = field(default_factory=dict)
    lessons: dict[int, list[tuple[int, datetime]]] = field(default_factory=dict)  # course -> past
    enrolled: list[tuple[int, int]] = field(default_factory=list)  # (member, course)
    # Past activities: (start, title, points category, own points or None).
    activities: dict[int, tuple[datetime, str, str, int | None]] = field(default_factory=dict)
    attendees: list[tuple[int, int]] = field(default_factory=list)  # (member, activity)

    def candidates(self) -> int:
        return sum(len(self.lessons[c]) for _, c in self.enrolled) + len(self.attendees)


def build(folder: Path, size: Size, now: datetime, settings: SimpleNamespace) -> dict[str, int]:
    """Create <folder>/kiosk.db for `size` with "now" at `now`; returns the row count per table."""
    database = open_db(folder)
    # Bulk load: no rollback journal or fsync (a failed build is thrown away), no per-row FK checks.
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "foreign_keys = OFF", "cache_size = -1000000"):
        database.execute_sql(f"PRAGMA {pragma}")
    try:
        _Builder(database, size, now, settings).run()
        counts = {
            t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in ("member", "lesson", "enrollment", "activity", "registration", "sign_in", "points_entry", "outbox")
        }
        database.execute_sql("PRAGMA journal_mode = WAL")
    finally:
        database.close()
    return counts


class _Builder:
    def __init__(self, database: SqliteDatabase, size: Size, now: datetime, settings: SimpleNamespace):
        self.db, self.conn = database, database.connection()
        self.size, self.now, self.settings = size, now, settings
        self.rng = random.Random(SEED)
        self.cutoff = datetime.combine(now.date(), datetime.min.time())  # no sign-ins from here on
        self.provisional_from = now - timedelta(days=_PROVISIONAL_DAYS)
        self.rules = awards.rules()  # the migration's defaults: what the kiosk awarded by
        self.ids = {"course": 0, "lesson": 0, "activity": 0, "sign_in": 0, "points_entry": 0, "outbox": 0}
        self.member_nos: list[str] = [""]  # index = member id
        self.confirmed = [0] * (size.members + 1)  # each member's confirmed entries' sum
        self.balance = [0] * (size.members + 1)  # ... and with the provisional ones
        # Per term, filled as its ledger is written in order of time:
        self.rows: dict[str, list[tuple]] = {}
        self.earned: dict[tuple[int, date, str], int] = {}  # (member, day, category): for the caps
        self.awards: dict[int, list[tuple[int, str, int]]] = {}  # member: (entry id, event id, amount)

    def run(self) -> None:
        with self.db.atomic():
            site_id = self._sites()
            self._members()
        terms = []
        for t, start in enumerate(self._term_starts()):
            with self.db.atomic():
                terms.append(self._term(site_id, t + 1, start))
        quotas = _quotas([term.candidates() for term in terms], self.size.signins)
        for term, quota in zip(terms, quotas):
            with self.db.atomic():
                self._ledger(term, quota)
        with self.db.atomic():
            self._finish_members(terms[-1])

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _insert(self, table: str, rows: list[tuple]) -> None:
        columns = _COLUMNS[table]
        names = ", ".join(f'"{c}"' for c in columns)
        self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)

    # sites and members

    def _sites(self) -> int:
        s = self.settings.site
        rows = [(1, s.code, s.name, "center", "")]
        rows += [(i + 2, f"BUREAU-{i + 2:03d}", f"第{i + 2}活动中心", "branch", "") for i in range(_OTHER_SITES)]
        self._insert("site", rows)
        return 1

    def _members(self) -> None:
        seen: set[str] = set()
        rows = []
        for member_id in range(1, self.size.members + 1):
            number = self._id_number(seen)
            no = f"M{member_id:07d}"
            self.member_nos.append(no)
            has_card = self.rng.random() < 0.97  # a few registered without an ID card
            rows.append(
                (
                    member_id,
                    no,
                    self._name(),
                    self._id_hash() if has_card else None,
                    "男" if int(number[16]) % 2 else "女",
                    f"{self.rng.randrange(10000):04d}",
                    1 if self.rng.random() < 0.7 else self.rng.randint(2, _OTHER_SITES + 1),
                    2 if self.rng.random() < 0.03 else 1,
                    0,
                    1,
                    int(self.rng.random() < 0.12),
                    int(self.rng.random() > 0.05),
                )
            )
        self._insert("member", rows)

    def _id_hash(self) -> str:
        """A value of the id_hash's form (contract.idhash): no bench reads an ID card against these
        members, and deriving 50,000 real ones would take some 17 minutes of CPU."""
        return base64.urlsafe_b64encode(self.rng.randbytes(32)).rstrip(b"=").decode()

    def _id_number(self, seen: set[str]) -> str:
        while True:
            born = date(1935, 1, 1) + timedelta(days=self.rng.randrange(365 * 30))
            first17 = f"{self.rng.choice(_REGIONS)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = first17 + ids.check_char(first17)
            if number not in seen:
                seen.add(number)
                return number

    def _name(self) -> str:
        return self.rng.choice(_SURNAMES) + "".join(self.rng.choices(_GIVEN, k=self.rng.choice((1, 2, 2))))

    # terms, courses, lessons, enrolments, activities

    def _term_starts(self) -> list[date]:
        monday = self.now.date() - timedelta(days=self.now.weekday())
        last = monday - timedelta(weeks=_ANCHOR_WEEK - 1)
        count = 2 * self.size.years
        return [last - timedelta(weeks=_TERM_SPACING_WEEKS * (count - 1 - i)) for i in range(count)]

    def _term(self, site_id: int, term_id: int, start: date) -> _TermData:
        end = start + timedelta(weeks=_TERM_WEEKS, days=-1)
        season = "春季" if 2 <= start.month <= 7 else "秋季"
        self._insert("term", [(term_id, site_id, f"{start.year}年{season}学期", str(start), str(end))])
        holidays = [start + timedelta(weeks=4, days=2), start + timedelta(weeks=12, days=4)]
        self._insert("holiday", [(term_id, str(d), "校历假日") for d in holidays])
        term = _TermData(start, self._active_members(term_id))
        slots = self._courses(term, Term(start=start, end=end), set(holidays), term_id)
        self._enrol(term, slots)
        self._activities(term, site_id)
        return term

    def _active_members(self, term_id: int) -> list[int]:
        """A sample from a window that slides over the roster: members come and go over the years."""
        size = self.size
        window = min(size.members, size.active_per_term * 5)
        terms = 2 * size.years
        first = 1 + (term_id - 1) * (size.members - window) // max(1, terms - 1)
        return self.rng.sample(range(first, first + window), min(size.active_per_term, window))

    def _courses(
        self, term: _TermData, term_row: Term, holidays: set[date], term_id: int
    ) -> dict[int, set[tuple[int, str]]]:
        """Courses with weekly schedules and their lessons; returns each course's weekly slots."""
        slots_of, courses, lessons = {}, [], []
        for n in range(self.size.courses_per_term):
            course_id = self._next("course")
            category = _CATEGORIES[n % len(_CATEGORIES)]
            name = f"{category}（{n // len(_CATEGORIES) + 1}）班"
            hour, days = self._weekly(n)
            schedule = [{"weekday": d, "start": hour, "end": _plus(hour, 105)} for d in sorted(days)]
            courses.append(
                (
                    course_id,
                    term_id,
                    name,
                    category,
                    self._name(),
                    f"{self.rng.randint(1, 5)}楼 {self.rng.randint(1, 12):02d} 室",
                    self.rng.choice((60, 80, 100, 120)),
                    json.dumps(schedule, ensure_ascii=False),
                )
            )
            term.course_names[course_id] = name
            term.lessons[course_id] = []
            slots_of[course_id] = {(d, hour) for d in days}
            lessons += self._lessons(
                term, course_id, lesson_times(Course(schedule=json.dumps(schedule)), term_row, holidays)
            )
        self._insert("course", courses)
        self._insert("lesson", lessons)
        return slots_of

    def _weekly(self, n: int) -> tuple[str, list[int]]:
        """Course n's hour and weekdays; every tenth meets at now's weekday and hour (due now)."""
        if n % 10 == 0:
            return _nearest_slot(self.now), [self.now.isoweekday()]
        days = self.rng.sample(range(1, 6), 2 if self.rng.random() < 0.3 else 1)
        return self.rng.choice(_SLOT_STARTS), days

    def _lessons(self, term: _TermData, course_id: int, times: list[tuple[datetime, datetime]]) -> list[tuple]:
        """Lesson rows, 1 % cancelled (never today's); the past ones are remembered for sign-ins."""
        rows = []
        for start, end in times:
            lesson_id = self._next("lesson")
            cancelled = self.rng.random() < 0.01 and start.date() != self.now.date()
            rows.append((lesson_id, course_id, str(start), str(end), "", int(cancelled)))
            if start < self.cutoff and not cancelled:
                term.lessons[course_id].append((lesson_id, start))
        return rows

    def _enrol(self, term: _TermData, slots_of: dict[int, set[tuple[int, str]]]) -> None:
        """3-5 courses per active member, never two at the same hour; a few withdrawn or waitlisted."""
        courses = list(slots_of)
        rows = []
        for member_id in term.active:
            wanted, taken = self.rng.randint(3, 5), set()
            for course_id in self.rng.sample(courses, min(len(courses), 15)):
                if taken & slots_of[course_id]:
                    continue
                taken |= slots_of[course_id]
                wanted -= 1
                status = self.rng.choices(("enrolled", "withdrawn", "waitlisted"), (95, 3, 2))[0]
                rows.append((member_id, course_id, status))
                if status == "enrolled":
                    term.enrolled.append((member_id, course_id))
                if not wanted:
                    break
        self._insert("enrollment", rows)

    def _activities(self, term: _TermData, site_id: int) -> None:
        """One-off events at noon on weekdays or on Saturday mornings: never due with a lesson."""
        rows, registrations = [], []
        for _ in range(self.size.activities_per_term):
            activity_id = self._next("activity")
            kind, title = self.rng.choice(_ACTIVITY_KINDS)
            day = term.start + timedelta(weeks=self.rng.randrange(_TERM_WEEKS), days=self.rng.randrange(6))
            start = datetime.combine(day, _hm("09:30" if day.isoweekday() == 6 else "12:00"))
            is_open = self.rng.random() < 0.3
            own = self.rng.choice((None, None, 5, 10))
            rows.append(
                (
                    activity_id,
                    site_id,
                    f"{day:%m月}{title}",
                    kind,
                    "一楼 多功能厅",
                    str(start),
                    str(start + timedelta(minutes=90)),
                    0 if is_open else 200,
                    int(is_open),
                    own,
                    0,
                )
            )
            people = self.rng.sample(term.active, min(len(term.active), self.size.registrations_per_activity))
            if not is_open:
                people = self._register(registrations, activity_id, start, people)
            if start < self.cutoff:
                category = awards.activity_category(Activity(kind=kind))
                term.activities[activity_id] = (start, rows[-1][2], category, own)
                term.attendees += [(m, activity_id) for m in people]
        self._insert("activity", rows)
        self._insert("registration", registrations)

    def _register(self, registrations: list, activity_id: int, start: datetime, people: list[int]) -> list[int]:
        """Registration rows for `people`, signed up days before; returns those whose registration stands."""
        statuses = self.rng.choices(("registered", "cancelled", "waitlisted"), (90, 5, 5), k=len(people))
        for m, status in zip(people, statuses):
            at = start - timedelta(days=self.rng.randint(1, 20), minutes=self.rng.randrange(600))
            registrations.append((m, activity_id, status, str(at)))
        return [m for m, status in zip(people, statuses) if status == "registered"]

    # the ledger: sign-ins with their awards, volunteer service, redemptions, corrections

    def _ledger(self, term: _TermData, quota: int) -> None:
        """The term's sign-ins and other ledger entries, written in order of time as a kiosk would,
        so the daily caps and the balances a redemption needs are those of the moment."""
        self.rows = {"sign_in": [], "points_entry": [], "outbox": []}
        self.earned, self.awards = {}, {}
        events = self._choose(term, quota) + self._other_entries(term, quota)
        events.sort(key=lambda e: e[0])
        for at, member_id, write, args in events:
            write(at, member_id, *args)
        for table, rows in self.rows.items():
            self._insert(table, rows)

    def _choose(self, term: _TermData, quota: int) -> list[tuple]:
        """`quota` of the term's possible attendances, as events of the ledger."""
        possible = [
            (m, "lesson", lid, start, term.course_names[c], "lesson", None)
            for m, c in term.enrolled
            for lid, start in term.lessons[c]
        ]
        possible += [(m, "activity", a, *term.activities[a]) for m, a in term.attendees]
        events = []
        for m, *item in self.rng.sample(possible, quota):
            at = item[2] + timedelta(seconds=self.rng.randint(-20 * 60, 15 * 60))
            events.append((at, m, self._signin, item))
        return events

    def _other_entries(self, term: _TermData, quota: int) -> list[tuple]:
        """Volunteer hours, redemptions and corrections that staff record, a few percent of the ledger."""
        events = [
            (
                self._office_hours(term),
                self.rng.choice(term.active),
                self._volunteer,
                (self.rng.choice(_VOLUNTEER_HOURS),),
            )
            for _ in range(round(quota * _VOLUNTEER_SHARE))
        ]
        events += [
            (self._office_hours(term), self.rng.choice(term.active), self._redeem, ())
            for _ in range(round(quota * _REDEEM_SHARE))
        ]
        events += [
            (self._office_hours(term), self.rng.choice(term.active), self._correct, ())
            for _ in range(round(quota * _CORRECTION_SHARE))
        ]
        return events

    def _office_hours(self, term: _TermData) -> datetime:
        """A moment on a past day of the term, not a Sunday, when staff are at the desk."""
        days = min(_TERM_WEEKS * 7, (self.cutoff.date() - term.start).days)
        day = term.start + timedelta(days=self.rng.randrange(days))
        day -= timedelta(days=day.isoweekday() == 7)
        return datetime.combine(day, _hm("09:00")) + timedelta(seconds=self.rng.randrange(8 * 3600))

    def _signin(
        self,
        at: datetime,
        member_id: int,
        kind: str,
        item_id: int,
        item_start: datetime,
        title: str,
        category: str,
        own: int | None,
    ) -> None:
        """One sign-in as checkin._record writes it, with its award by the rules and both facts."""
        kiosk, site, member_no = self.settings.kiosk.id, self.settings.site.code, self.member_nos[member_id]
        ms = int(at.timestamp() * 1000)
        method = self.rng.choice(_METHODS)
        signin_id, event_id = self._next("sign_in"), self._uuid7(ms)
        self.rows["sign_in"].append(
            (
                signin_id,
                event_id,
                member_id,
                item_id if kind == "lesson" else None,
                item_id if kind == "activity" else None,
                str(at),
                method,
                kiosk,
            )
        )
        self._fact(
            "signin",
            event_id,
            ms,
            {
                "member_no": member_no,
                "kind": kind,
                "item_id": item_id,
                "title": title,
                "start": item_start.isoformat(),
                "at": at.isoformat(),
                "method": method,
                "kiosk_id": kiosk,
                "site": site,
            },
        )
        rule = self.rules[category]
        amount = self._capped(member_id, at, category, rule.points if own is None else own)
        if amount:
            entry = self._entry(
                at,
                member_id,
                amount,
                category,
                f"{category}_attendance",
                signin_id=signin_id,
                signin=event_id,
                rule_version=rule.version,
            )
            self.awards.setdefault(member_id, []).append((*entry, amount))

    def _volunteer(self, at: datetime, member_id: int, hours: float) -> None:
        amount = self._capped(member_id, at, "volunteer", awards.volunteer_points(hours))
        if amount:
            self._entry(
                at,
                member_id,
                amount,
                "volunteer",
                "volunteer_hour",
                note=f"志愿服务 {hours:g} 小时",
                rule_version=self.rules["volunteer"].version,
            )

    def _redeem(self, at: datetime, member_id: int) -> None:
        affordable = [gift for gift in _GIFTS if gift[1] <= self.balance[member_id]]
        if affordable:
            name, cost = self.rng.choice(affordable)
            self._entry(at, member_id, -cost, "redeem", "", note=f"兑换 {name}")

    def _correct(self, at: datetime, member_id: int) -> None:
        """Reverse one of the member's awards this term, each at most once, never below a zero balance."""
        awards = [a for a in self.awards.get(member_id, ()) if a[2] <= self.balance[member_id]]
        if awards:
            award = self.rng.choice(awards)
            self.awards[member_id].remove(award)
            entry_id, event_id, amount = award
            self._entry(
                at,
                member_id,
                -amount,
                "correction",
                "",
                note=f"更正：{self.rng.choice(_REASONS)}",
                reverses_id=entry_id,
                reverses=event_id,
            )

    def _capped(self, member_id: int, at: datetime, category: str, amount: int) -> int:
        """`amount` within what the category's daily cap leaves the member that day."""
        cap = self.rules[category].daily_cap
        if not cap:
            return amount
        key = (member_id, at.date(), category)
        amount = max(0, min(amount, cap - self.earned.get(key, 0)))
        self.earned[key] = self.earned.get(key, 0) + amount
        return amount

    def _entry(
        self,
        at: datetime,
        member_id: int,
        amount: int,
        kind: str,
        rule: str,
        note: str = "",
        signin_id: int | None = None,
        reverses_id: int | None = None,
        **fact,
    ) -> tuple[int, str]:
        """A ledger entry and its fact; confirmed by the bureau unless it is of the last few days."""
        ms = int(at.timestamp() * 1000)
        entry_id, event_id = self._next("points_entry"), self._uuid7(ms)
        status = "provisional" if at >= self.provisional_from else "confirmed"
        self.rows["points_entry"].append(
            (entry_id, event_id, member_id, amount, kind, rule, signin_id, reverses_id, status, str(at), note)
        )
        self._fact(
            "points",
            event_id,
            ms,
            {
                "member_no": self.member_nos[member_id],
                "amount": amount,
                "kind": kind,
                "rule": rule,
                "at": at.isoformat(),
                "kiosk_id": self.settings.kiosk.id,
                "site": self.settings.site.code,
                **({"note": note} if note else {}),
                **fact,
            },
        )
        self.balance[member_id] += amount
        if status == "confirmed":
            self.confirmed[member_id] += amount
        return entry_id, event_id

    def _fact(self, kind: str, event_id: str, ms: int, payload: dict) -> None:
        self.rows["outbox"].append(
            (
                self._next("outbox"),
                event_id,
                kind,
                1,
                ms,
                json.dumps(payload, ensure_ascii=False, sort_keys=True),
                "acked",
            )
        )

    def _uuid7(self, ms: int) -> str:
        """A UUIDv7 for a past moment, as facts.new_event_id would have made it then."""
        rand = self.rng.getrandbits(74)
        h = f"{(ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & (2**62 - 1)):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _finish_members(self, last: _TermData) -> None:
        """Confirmed balances; a few who left before the last term are no longer active."""
        self.conn.executemany(
            "UPDATE member SET points_confirmed = ? WHERE id = ?", [(p, m) for m, p in enumerate(self.confirmed) if p]
        )
        current = set(last.active)
        gone = [(m,) for m in range(1, self.size.members + 1) if m not in current and self.rng.random() < 0.02]
        self.conn.executemany("UPDATE member SET active = 0 WHERE id = ?", gone)


def _quotas(candidates: list[int], total: int) -> list[int]:
    """Split `total` over the terms in proportion to what each could hold."""
    possible = sum(candidates)
    if total > possible:
        raise ValueError(f"these sizes allow only {possible:,} sign-ins, not {total:,}")
    quotas = [total * c // possible for c in candidates]
    by_remainder = sorted(range(len(candidates)), key=lambda i: -(total * candidates[i] % possible))
    for i in by_remainder[: total - sum(quotas)]:
        quotas[i] += 1
    return quotas


def _nearest_slot(now: datetime) -> str:
    minutes = now.hour * 60 + now.minute
    return min(_SLOT_STARTS, key=lambda s: abs(int(s[:2]) * 60 + int(s[3:]) - minutes))


def _hm(text: str):
    return datetime.strptime(text, "%H:%M").time()


def _plus(hhmm: str, minutes: int) -> str:
    return (datetime.combine(date.min, _hm(hhmm)) + timedelta(minutes=minutes)).strftime("%H:%M")
