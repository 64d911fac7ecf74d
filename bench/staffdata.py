"""Staff data at a large site's scale (docs/design.md §10): a roster in, a term's attendance out.

import   a 3,000-member roster from .xlsx (name, phone, a valid ID number, 1-3 courses each out of
         a term of 300), through kiosk.desk.imports.import_members end to end: reading the file,
         checking every row, the enrolments with their capacity, and the one transaction with a
         fact per member and per enrolment.  Target ≤ 10 s.  Each run starts from a fresh copy of
         the database holding the term and its courses (imported from a course list first: that
         time is printed too), so every run creates the same 3,000 members.
export   the attendance of that term's 300 courses (≈ 20 members each, 16 weekly lessons, ~80 %
         signed in) through kiosk.desk.exports.export to .xlsx, one sheet per course.  Target ≤ 5 s.
         The same to .csv (a file per course) is printed without a target.

p50 and max over Size.runs runs; the verdict is on the wall-clock p50, so other load on the
machine shows in it: each figure's line also gives the CPU time the work took itself, and the
last line the machine's cores and load average.
"""

import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from bench import Figure
from kiosk import config
from kiosk.desk import exports, imports
from kiosk.identity import ids
from kiosk.staff.audit import Actor
from kiosk.store.db import db, open_db
from kiosk.store.models import Enrollment, Lesson, SignIn, Site, Term

IMPORT_TARGET_S, EXPORT_TARGET_S = 10.0, 5.0
TERM_START = date(2025, 2, 24)  # a Monday
BEFORE_TERM = datetime(2025, 2, 20, 10, 0)  # when the roster is imported
SEED = 20250224

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
)
_GIVEN = "建华国明秀英文志玉兰红军平德淑芳桂珍永福春海林强凤荣成金庆云丽新学正振兴树忠"
_SUBJECTS = (
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
_SLOTS = [(day, start, end) for day in "一二三四五" for start, end in (("09:00", "11:00"), ("14:00", "16:00"))]
_REGIONS = ("110101", "110105", "310104", "440106", "320102", "510107")


@dataclass(frozen=True)
class Size:
    members: int = 3_000
    courses: int = 300
    weeks: int = 16  # one lesson a week per course
    capacity: int = 40
    attendance: float = 0.8
    runs: int = 3


FULL = Size()


@dataclass
class Timing:
    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)  # this process's CPU: the rest is waiting

    @contextmanager
    def run(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.cpu_s.append(time.process_time() - cpu)
        self.wall_s.append(time.perf_counter() - wall)


@dataclass
class Measured:
    courses: imports.ImportReport
    courses_s: float  # importing the course list, once
    imports: Timing  # the roster, once a run
    xlsx: Timing  # the term's attendance, once a run
    csv: Timing
    roster: imports.ImportReport  # of the last run
    lessons: int
    enrolments: int
    sign_ins: int
    xlsx_file: Path  # the last export's files
    csv_files: list[Path]


def run(size: Size = FULL) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="yinling-staffdata-") as tmp:
        m = measure(Path(tmp), size)
    load = os.getloadavg()[0]
    figures = [
        _figure(f"roster import ({size.members:,} members, .xlsx)", m.imports, IMPORT_TARGET_S),
        _figure(f"term attendance export ({size.courses} courses, .xlsx)", m.xlsx, EXPORT_TARGET_S),
        _figure(f"term attendance export ({size.courses} courses, .csv)", m.csv, None),
    ]
    print(f"  course list import ({size.courses} courses, {m.lessons:,} lessons): {m.courses_s:.2f} s")
    print(
        f"  roster: {m.roster.created:,} members created, {m.roster.enrolled:,} enrolled, "
        f"{m.roster.waitlisted:,} waitlisted; attendance: {m.enrolments:,} enrolments × "
        f"{size.weeks} lessons, {m.sign_ins:,} sign-ins"
    )
    print(f"  {size.runs} runs each; {os.cpu_count()} CPU cores, load average {load:.1f}")
    return figures


def _figure(name: str, timing: Timing, target: float | None) -> Figure:
    p50, worst = statistics.median(timing.wall_s), max(timing.wall_s)
    cpu = statistics.median(timing.cpu_s)
    ok = p50 <= target if target else None
    verdict = f"  [target p50 ≤ {target:g} s: {'PASS' if ok else 'FAIL'}]" if target else ""
    print(f"{name}: p50 {p50:.2f} s  max {worst:.2f} s  (CPU p50 {cpu:.2f} s){verdict}", flush=True)
    return Figure(
        name, f"p50 {p50:.2f} s, max {worst:.2f} s (CPU p50 {cpu:.2f} s)", f"p50 ≤ {target:g} s" if target else "", ok
    )


def measure(folder: Path, size: Size) -> Measured:
    """Build the term, then time the roster import and the attendance export `size.runs` times each."""
    rng = random.Random(SEED)
    base = folder / "base"
    settings = config.load(data_dir=base)
    actor = Actor.of(None, settings)
    course_list = _course_list(folder / "课程表.xlsx", size)
    open_db(base)
    try:
        site = Site.create(code=settings.site.code, name=settings.site.name)
        term = Term.create(
            site=site, name="2025年春季学期", start=TERM_START, end=TERM_START + timedelta(weeks=size.weeks, days=-1)
        )
        started = time.perf_counter()
        courses = imports.import_courses(actor, course_list, BEFORE_TERM, term_id=term.id)
        courses_s = time.perf_counter() - started
        assert courses.ok, courses.errors[:5]
    finally:
        db.close()
    roster = _roster(folder / "学员名单.xlsx", size, rng)

    timing = Timing()
    for n in range(size.runs):
        work = folder / f"run{n}"  # the last one is kept for the export
        shutil.copytree(base, work)
        open_db(work)
        try:
            run_settings = config.load(data_dir=work)
            with timing.run():
                report = imports.import_members(actor, roster, BEFORE_TERM, run_settings)
            assert report.ok and report.created == size.members, report.errors[:5]
        finally:
            db.close()

    open_db(work)  # the last run's database: the term after it ended, with its attendance
    try:
        term = Term.get()
        sign_ins = _attend(size, rng)
        after = datetime.combine(term.end, datetime.min.time()) + timedelta(days=1, hours=9)
        xlsx, csv = Timing(), Timing()
        for n in range(size.runs):
            out = folder / f"export{n}"
            out.mkdir()
            with xlsx.run():
                (xlsx_file,) = exports.export(actor, "attendance", "xlsx", out, after, term_id=term.id)
            with csv.run():
                csv_files = exports.export(actor, "attendance", "csv", out, after, term_id=term.id)
        return Measured(
            courses,
            courses_s,
            timing,
            xlsx,
            csv,
            report,
            Lesson.select().count(),
            Enrollment.select().count(),
            sign_ins,
            xlsx_file,
            csv_files,
        )
    finally:
        db.close()


def _course_list(path: Path, size: Size) -> Path:
    """`size.courses` courses, each in a room of its own at one of ten weekly times: no clashes."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("课程")
    sheet.append(["课程名称", "类别", "教师", "教室", "容量", "上课时间"])
    for i in range(size.courses):
        day, start, end = _SLOTS[i % len(_SLOTS)]
        sheet.append(
            [
                _course_name(i),
                _SUBJECTS[i % len(_SUBJECTS)],
                f"教师{i % 40 + 1}",
                f"{i // len(_SLOTS) + 1:02d} 教室",
                size.capacity,
                f"周{day} {start}-{end}",
            ]
        )
    book.save(path)
    return path


def _course_name(i: int) -> str:
    return f"{_SUBJECTS[i % len(_SUBJECTS)]}（{i // len(_SUBJECTS) + 1}）班"


def _roster(path: Path, size: Size, rng: random.Random) -> Path:
    """`size.members` seniors with a name, a mobile, a valid ID number and 1-3 of the term's courses."""
    names = [_course_name(i) for i in range(size.courses)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("学员")
    sheet.append(["序号", "姓名", "性别", "手机号", "身份证号", "报名课程"])
    for n in range(size.members):
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(25 * 365))
        first17 = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{n % 1000:03d}"
        number = first17 + ids.check_char(first17)
        name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
        sheet.append([n + 1, name, "", f"13{n:09d}", number, "、".join(rng.sample(names, rng.randint(1, 3)))])
    book.save(path)
    return path


def _attend(size: Size, rng: random.Random) -> int:
    """Sign-ins for about `size.attendance` of every enrolled member's lessons, as kiosks record them."""
    rows = db.execute_sql(
        "SELECT e.member_id, l.id, l.start FROM enrollment e JOIN lesson l ON l.course_id = e.course_id"
        " WHERE e.status = 'enrolled'"
    ).fetchall()
    chosen = [
        (f"bench-{i:08d}", member, lesson, start, "qr", "KIOSK-BENCH")
        for i, (member, lesson, start) in enumerate(rows)
        if rng.random() < size.attendance
    ]
    with db.atomic():
        db.connection().executemany(
            "INSERT INTO sign_in (event_id, member_id, lesson_id, at, method, kiosk_id) VALUES (?, ?, ?, ?, ?, ?)",
            chosen,
        )
    return SignIn.select().count()
