"""python main.py import …, run as an operator runs it: a separate process on a kiosk.db built here."""

import subprocess
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook

from kiosk.identity import ids
from kiosk.people import members as people
from kiosk.people import newcomers
from kiosk.staff.audit import Actor
from kiosk.store.models import Audit, Course, Enrollment, Lesson, Member, NewcomerCard, Outbox, Term
from tools.checkout import run_kiosk

TODAY = date.today()  # the command line takes the time from the clock


def id_number(first17: str) -> str:
    return first17 + ids.check_char(first17)


def xlsx(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def counts() -> dict:
    return {m.__name__: m.select().count() for m in (Member, Course, Lesson, Enrollment, Outbox, Audit)}


@pytest.fixture
def kiosk(world, site_file, settings):
    """Run main.py on this test's site file and kiosk.db, with a term under way and one course in it."""
    term = Term.create(site=world.site, name="本学期", start=TODAY - timedelta(days=30), end=TODAY + timedelta(days=60))
    Course.create(
        term=term, name="太极拳（一）班", room="一楼", schedule='[{"weekday": 1, "start": "09:00", "end": "11:00"}]'
    )

    def run(*args) -> subprocess.CompletedProcess:
        return run_kiosk("--config", site_file, "--data-dir", settings.kiosk.data_dir, *args)

    return run


ID_ZHAO = id_number("11010519480302001")

ROSTER = [
    ["姓名", "手机号", "身份证号", "课程", "备注"],
    ["赵国强", "13812345678", ID_ZHAO, "太极拳（一）班", ""],
    ["钱秀英", "", "", "太极拳（一）班", "腿脚不便"],
]


def test_a_roster_is_imported(tmp_path, kiosk):
    result = kiosk("import", "members", xlsx(tmp_path / "名单.xlsx", ROSTER))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "注意：这些列不认识，没有导入：「备注」",
        "「名单.xlsx」：新增学员 2 人，更新 0 人，无变化 0 人；报名 2 人次，候补 0 人次",
    ]
    assert [m.name for m in Member.select().order_by(Member.member_no)] == ["赵国强", "钱秀英"]
    assert Enrollment.select().count() == 2 and Audit.get().action == "import.members"


def test_a_dry_run_writes_nothing(tmp_path, kiosk):
    before = counts()
    result = kiosk("import", "members", xlsx(tmp_path / "名单.xlsx", ROSTER), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "新增学员 2 人" in result.stdout and "试导入" in result.stdout
    assert counts() == before


def test_bad_rows_are_listed_and_nothing_is_written(tmp_path, kiosk):
    before = counts()
    path = xlsx(tmp_path / "名单.xlsx", ROSTER + [["", "12345", "", "", ""], ["孙丽", "", "", "国画班", ""]])
    result = kiosk("import", "members", path)
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "「名单.xlsx」有 3 处问题，什么都没有导入。请改好后再导入：",
        "第 4 行 A 列「姓名」：不能为空",
        "第 4 行 B 列「手机号」：「12345」不是 11 位手机号码",
        "第 5 行 D 列「课程」：本学期没有课程「国画班」",
    ]
    assert counts() == before


def test_a_name_read_from_an_id_card_changes_only_with_overwrite_verified(tmp_path, kiosk, world, settings):
    newcomers.remember(world.idcard(ID_ZHAO, name="赵国强"), ids.id_hash(ID_ZHAO, world.id_key), datetime.now())
    no = people.register(Actor.of(None, settings), NewcomerCard.get().id, datetime.now(), settings).member_no
    path = xlsx(tmp_path / "名单.xlsx", [["学员编号", "姓名"], [no, "赵国华"]])
    rename = f"第 2 行：学员 {no} 的姓名「赵国强」是照身份证登记的，导入会改成「赵国华」"

    checked = kiosk("import", "members", path, "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert rename in checked.stdout.splitlines() and "--overwrite-verified" in checked.stdout
    before = counts()
    held = kiosk("import", "members", path)
    assert (held.returncode, held.stdout) == (1, "")
    assert held.stderr.splitlines()[1:] == [rename] and "--overwrite-verified" in held.stderr
    assert counts() == before

    done = kiosk("import", "members", path, "--overwrite-verified")
    assert done.returncode == 0, done.stderr
    assert Member.get(Member.member_no == no).name == "赵国华"


def test_a_course_list_into_a_named_term(tmp_path, kiosk):
    path = xlsx(
        tmp_path / "课程.xlsx",
        [["课程名称", "教师", "教室", "容量", "上课时间"], ["合唱班", "杨春燕", "四楼 401", 40, "周三 14:00-16:00"]],
    )
    result = kiosk("import", "courses", path, "--term", "本学期")
    assert result.returncode == 0, result.stderr
    assert "新增课程 1 门" in result.stdout
    course = Course.get(Course.name == "合唱班")
    wednesdays = sum((TODAY + timedelta(days=n)).isoweekday() == 3 for n in range(-30, 61))
    assert course.term.name == "本学期" and course.lessons.count() == wednesdays


@pytest.mark.parametrize(
    "args, words",
    [
        (("courses", "{file}", "--term", "下学期"), ("下学期",)),
        (("courses", "{file}"), ("学期",)),
        (("members", "{missing}"), ("找不到文件", "nope.xlsx")),
    ],
)
def test_a_file_or_term_that_cannot_be_used(tmp_path, kiosk, args, words):
    path = xlsx(tmp_path / "课程.xlsx", [["课程名称", "上课时间"], ["合唱班", "周三 14:00-16:00"]])
    before = counts()
    result = kiosk("import", *(a.format(file=path, missing=tmp_path / "nope.xlsx") for a in args))
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert all(w in line for w in words), line
    assert counts() == before
