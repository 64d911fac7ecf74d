"""Course lists and rosters imported from the console: the kiosk's reading and row checks
(contract.imports), then the bureau's own checks against a term of a site, a preview of every
row, and the rows without a problem applied through bureau.programme.classes.

Two steps: preview() checks the file and changes nothing; apply() checks it again inside the
write (the term may have changed in between) and makes what the preview promised: courses made
and published, members enrolled or put on the waitlist and published, and one audit entry for the
import with its file name and counts.  A row with a problem is never applied.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bureau import audit
from bureau.models import Course, Enrollment, Member, Term
from bureau.programme import classes
from contract.imports.courses import COURSE_COLUMNS, CourseRow, check_course
from contract.imports.members import MEMBER_COLUMNS, MEMBER_NO, course_names
from contract.imports.sheet import (
    Problem,
    Row,
    RowProblem,
    Sheet,
    SheetError,
    cell_text,
    course_key,
    name_text,
    read_sheet,
    row_label,
    text_problem,
)

KINDS = {"courses": "课程", "roster": "学员名单"}
ROWS_MAX = 5000
ROSTER_COLUMNS = {**MEMBER_COLUMNS, "id_last4": ("身份证后四位", "身份证后4位", "身份证尾号")}

# The contract's problem codes in the bureau's words (the kiosk has the same in its catalog).
MESSAGES = {
    "imports.row_error": "{row} {letter} 列「{column}」：{message}",
    "imports.unsupported": "不能导入「{file}」：请在 Excel 里“另存为” .xlsx 或 .csv 文件再导入",
    "imports.unreadable": "文件「{file}」打不开或已损坏，请在 Excel 里重新保存后再试",
    "imports.no_rows": "文件「{file}」里没有要导入的内容",
    "imports.missing_column": "文件「{file}」缺少「{column}」列：表头那一行要有这一列",
    "imports.missing_column_in": "文件「{file}」的工作表「{sheet}」缺少「{column}」列：它的表头那一行只认出了 {found}",
    "imports.no_header": (
        "「{file}」里没有找到表头（要有一行写着「{column}」这样的列名），什么都没有导入。文件开头是：「{first}」"
    ),
    "imports.sheet_skipped": "工作表「{sheet}」里没有表头（比如填表说明），没有导入",
    "imports.hidden_sheet": (
        "「{file}」的工作表「{sheet}」是隐藏的：请在 Excel 里取消隐藏，看过这张表，不要的删掉，再导入"
    ),
    "imports.hidden_row": "这一行在 Excel 里被隐藏了（或被筛选掉了）：请取消隐藏或筛选，不要的行删掉，再导入",
    "imports.total_skipped": "{row}是「{text}」行，没有导入",
    "imports.total_with_name": "这一行写着「{text}」，又填了姓名：合计行不是学员，请把它和学员分开",
    "imports.duplicate_column": "「{a}」和「{b}」是同一列，请只留一列",
    "imports.unknown_columns": "这些列不认识，没有导入：{columns}",
    "imports.required": "不能为空",
    "imports.bad_member_no": "学员编号「{value}」只能有字母、数字和短横线",
    "imports.name_control": "姓名里有看不见的控制字符：请重新输入这个姓名",
    "imports.name_formula": "「{value}」不能以 = + - @ 开头：请只写姓名",
    "imports.name_lost_char": "「{value}」里有「?」或「□」：多半是转换编码时丢了一个生僻字，请改正后再导入",
    "imports.unknown_term": "没有叫「{name}」的学期（这里只能导入本学期的课程）",
    "imports.bad_capacity": "容量「{value}」应是 0 或正整数（0 表示不限人数）",
    "imports.morning_afternoon": "「{slot}」在「上午」列里，却是下午的时间：请放到「下午」列或改正",
    "imports.too_early": "「{slot}」早于 {earliest}：下午的课请写成 14:30 这样的 24 小时时间，或放在「下午」列",
    "schedule.unreadable": "看不懂上课时间「{part}」，请写成「周二 09:00-11:00」，多个时间用分号隔开",
    "schedule.empty": "请填写上课时间，例如「周二 09:00-11:00」",
    "schedule.backwards": "上课时间「{slot}」的结束时间要晚于开始时间",
    "schedule.self_overlap": "上课时间「{a}」和「{b}」重叠了",
    # The bureau's own checks.
    "too_many_rows": "「{file}」有 {count} 行，一次最多导入 {most} 行：请分成几个文件",
    "duplicate_course": "课程「{name}」和{other}重复",
    "course_exists": "学期已有课程「{name}」，这一行不再导入（要改请在课程页修改）",
    "unknown_member": "本站点没有学号为「{value}」的学员",
    "name_differs": "学号 {member_no} 的学员是「{known}」，不是「{value}」：请核对",
    "bad_last4": "身份证后四位「{value}」应是 4 位数字或字母",
    "member_by_name": "本站点没有姓名「{name}」、身份证后四位 {last4} 的学员",
    "member_by_name_many": "本站点有几位姓名「{name}」、身份证后四位 {last4} 的学员：请写学号",
    "need_member": "请写学号，或写姓名和身份证后四位",
    "no_course": "请在「课程」列写要报名的课程",
    "unknown_course": "这个学期没有课程「{name}」",
    "member_merged": "学员 {member_no} 已合并到 {other}，请写那个学号",
    "member_inactive": "学员 {member_no} 已停用",
    "duplicate_member": "和{other}是同一位学员，同一门课",
}


def say(problem: Problem) -> str:
    """A problem in the bureau's words (its code itself when the table has none)."""
    text = MESSAGES.get(problem.key, problem.key)
    return text.format(**problem.values) if problem.values else text


class ImportError_(ValueError):
    """A file that cannot be imported at all; the message says why, in Chinese."""


@dataclass
class Line:
    """A row of the file as the preview shows it."""

    where: str
    shown: list[str]  # its cells as text, in the preview's columns
    problems: list[str] = field(default_factory=list)
    note: str = ""  # what applying it does, when it has no problem

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Preview:
    kind: str  # "courses" or "roster"
    file: str
    sha256: str
    columns: list[str]
    lines: list[Line]
    notes: list[str]
    apply: list[Callable[[str, datetime], object]] = field(default_factory=list, repr=False)
    applied: int = 0

    @property
    def good(self) -> int:
        return sum(1 for line in self.lines if line.ok)

    @property
    def bad(self) -> int:
        return len(self.lines) - self.good


def read(data: bytes, name: str, kind: str) -> Sheet:
    columns = COURSE_COLUMNS if kind == "courses" else ROSTER_COLUMNS
    required = ("name",) if kind == "courses" else ()
    try:
        sheet = read_sheet(data, name, columns, required or ("member_no",))
    except SheetError as e:
        if kind == "roster" and e.key in ("imports.missing_column", "imports.no_header"):
            sheet = _roster_by_name(data, name, e)
        else:
            raise ImportError_(say(Problem(e.key, e.values))) from None
    if len(sheet.rows) > ROWS_MAX:
        raise ImportError_(say(Problem("too_many_rows", {"file": name, "count": len(sheet.rows), "most": ROWS_MAX})))
    return sheet


def _roster_by_name(data: bytes, name: str, first: SheetError) -> Sheet:
    """A roster without a 学号 column: read again for names (with 身份证后四位)."""
    try:
        return read_sheet(data, name, ROSTER_COLUMNS, ("name",))
    except SheetError:
        raise ImportError_(say(Problem(first.key, first.values))) from None


def preview(data: bytes, name: str, kind: str, term: Term, course: Course | None = None) -> Preview:
    """What importing the file into `term` (a roster: into `course`, or the courses it names)
    would do, row by row; nothing is changed.  ImportError_ when the file cannot be used."""
    sheet = read(data, name, kind)
    found = _courses(sheet, term) if kind == "courses" else _roster(sheet, term, course)
    found.notes = [say(n) for n in sheet.notes] + found.notes
    for p in sheet.errors:
        found.lines.append(Line(row_label(p.row, p.sheet), [], [say(p.problem)]))
    found.lines.sort(key=lambda line: line.where)
    return found


def apply(
    data: bytes, name: str, kind: str, term: Term, username: str, now: datetime, course: Course | None = None
) -> Preview:
    """The rows without a problem applied (call inside store.write()), and the import's audit entry."""
    done = preview(data, name, kind, term, course)
    for change in done.apply:
        change(username, now)
    done.applied = len(done.apply)
    detail = {
        "file": name,
        "sha256": done.sha256,
        "rows": len(done.lines),
        "applied": done.applied,
        "refused": done.bad,
    }
    target = f"{term.name} {course.title}" if course else term.name
    audit.record(username, f"import.{kind}", target, term.site, detail)
    return done


def _where(row: Row) -> str:
    return row_label(row.n, row.part.sheet)


def _said(problems: list[RowProblem]) -> list[str]:
    """Each problem with its column (the row is the preview's line)."""
    return [f"{p.letter} 列「{p.column}」：{say(p.problem)}" if p.column else say(p.problem) for p in problems]


# --- courses ---------------------------------------------------------------------------------------------


def _courses(sheet: Sheet, term: Term) -> Preview:
    result = Preview("courses", sheet.name, sheet.sha256, ["课程名称", "教师", "教室", "容量", "上课时间"], [], [])
    existing = {course_key(c.title) for c in term.courses.where(Course.withdrawn_at.is_null())}
    seen: dict[str, str] = {}
    for row in sheet.rows:
        problems: list[RowProblem] = []
        checked = check_course(row, problems, {term.name}, True)
        cells = row.cells
        line = Line(
            _where(row),
            [cell_text(cells.get(f)) for f in ("name", "teacher", "room", "capacity")]
            + [
                "；".join(
                    cell_text(cells.get(f)) for f in ("schedule", "morning", "afternoon") if cell_text(cells.get(f))
                )
            ],
            _said(problems),
        )
        result.lines.append(line)
        if checked is None:
            continue
        key = course_key(checked.name)
        if key in seen:
            line.problems.append(say(Problem("duplicate_course", {"name": checked.name, "other": seen[key]})))
        elif key in existing:
            line.problems.append(say(Problem("course_exists", {"name": checked.name})))
        else:
            seen[key] = line.where
            line.note = "新建课程"
            result.apply.append(_course_maker(term, checked))
    return result


def _course_maker(term: Term, c: CourseRow) -> Callable[[str, datetime], object]:
    fields = classes.CourseFields(c.name, c.category, c.teacher, c.room, c.capacity, tuple(c.slots))
    return lambda username, now: classes.save_course(term.site, term, fields, username)


# --- rosters ----------------------------------------------------------------------------------------------


def _roster(sheet: Sheet, term: Term, course: Course | None) -> Preview:
    result = Preview("roster", sheet.name, sheet.sha256, ["学号", "姓名", "身份证后四位", "课程"], [], [])
    courses = {course_key(c.title): c for c in term.courses.where(Course.withdrawn_at.is_null())}
    site_members = Member.select().where(Member.site == term.site)
    placed: dict[tuple[int, str], str] = {}
    taken = {(e.course_id, e.member_no): e.status for e in Enrollment.select().join(Course).where(Course.term == term)}
    for row in sheet.rows:
        cells = row.cells
        number = cell_text(cells.get("member_no") or cells.get("loose_no")).upper()
        name = name_text(cells.get("name"))
        last4 = cell_text(cells.get("id_last4")).upper()
        named = cell_text(cells.get("courses"))
        line = Line(_where(row), [number, name, last4, named or (course.title if course else "")])
        result.lines.append(line)
        member = _member(line, site_members, number, name, last4)
        wanted = [course] if course and not named else []
        for title in course_names(named) if named else []:
            found = courses.get(course_key(title))
            if found is None:
                line.problems.append(say(Problem("unknown_course", {"name": title})))
            elif course is None or found.id == course.id:
                wanted.append(found)
        if not wanted and not line.problems:
            line.problems.append(say(Problem("no_course")))
        if member is None or line.problems:
            continue
        notes = []
        for c in wanted:
            if (c.id, member.member_no) in placed:
                line.problems.append(say(Problem("duplicate_member", {"other": placed[(c.id, member.member_no)]})))
                break
            placed[(c.id, member.member_no)] = line.where
            if taken.get((c.id, member.member_no)) in ("enrolled", "waitlisted"):
                notes.append(f"已在「{c.title}」名单上")
            else:
                notes.append(f"报名「{c.title}」")
                result.apply.append(_enroller(c, member))
        line.note = "；".join(notes)
    return result


def _member(line: Line, members, number: str, name: str, last4: str) -> Member | None:
    """The member a row names, by 学号 (its name, if given, must agree), else by name and the last
    four of the ID number; None after a problem noted on the line."""

    def problem(key: str, **values) -> None:
        line.problems.append(say(Problem(key, values)))

    if name and (key := text_problem(name)):
        problem(key, value=name)
        return None
    if number:
        if not MEMBER_NO.fullmatch(number):
            problem("imports.bad_member_no", value=number)
            return None
        found = members.where(Member.member_no == number).first()
        if found is None:
            problem("unknown_member", value=number)
        elif name and name != found.name:
            problem("name_differs", member_no=number, known=found.name, value=name)
            found = None
    elif name and last4:
        if not (len(last4) == 4 and last4.isascii() and last4.isalnum()):
            problem("bad_last4", value=last4)
            return None
        matches = list(members.where(Member.name == name, Member.id_last4 == last4).limit(2))
        found = matches[0] if len(matches) == 1 else None
        if not matches:
            problem("member_by_name", name=name, last4=last4)
        elif len(matches) > 1:
            problem("member_by_name_many", name=name, last4=last4)
    else:
        problem("need_member")
        return None
    if found is not None and found.merged_into:
        problem("member_merged", member_no=found.member_no, other=found.merged_into)
        return None
    if found is not None and not found.active:
        problem("member_inactive", member_no=found.member_no)
        return None
    return found


def _enroller(course: Course, member: Member) -> Callable[[str, datetime], object]:
    return lambda username, now: classes.enroll(course, member, username, now)
