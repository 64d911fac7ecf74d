"""A course list's columns and the checks of each row on its own: a name, a teacher's name, the
weekly times (from 上课时间, or from 上午 and 下午 columns, where 2:30 is 14:30), the capacity,
and the term it names.  Checks against other rows and the courses already there are each side's."""

import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from contract.imports.sheet import Row, RowProblem, cell_text, name_text, text_problem
from contract.imports.slots import SlotError, check_slots, format_slots, parse_slots

COURSE_COLUMNS = {
    "name": ("课程名称", "课程", "班级"),
    "category": ("类别",),
    "teacher": ("教师", "老师", "授课教师"),
    "room": ("教室", "地点", "上课地点"),
    "capacity": ("容量", "人数"),
    "schedule": ("上课时间",),
    "morning": ("上午",),  # 「周二 9:00-11:00」 under 上午
    "afternoon": ("下午",),  # 「周二 2:30-4:30」 under 下午 is 14:30-16:30
    "term": ("学期",),
}
TIMES = ("schedule", "morning", "afternoon")
EARLIEST = "06:00"  # a lesson starting before this is an afternoon time written without 下午
_CLOCK = re.compile(r"(\d{1,2})[:：](\d{2})")

Wrong = Callable[..., None]  # wrong(field, key, **values): one problem of the row


@dataclass
class CourseRow:
    """A row that passed its own checks."""

    row: Row
    name: str
    term: str  # the term's name in the row; "" for the term the import is for
    slots: list[dict]
    category: str = "lesson"
    teacher: str = ""
    room: str = ""
    capacity: int = 0


def check_course(row: Row, problems: list[RowProblem], terms: Container[str], default_term: bool) -> CourseRow | None:
    """The row's course, or None after adding what is wrong with it to `problems`.  `terms`: the
    term names a 学期 cell may give; `default_term`: whether a row without one has a term."""
    before = len(problems)
    cells = row.cells

    def wrong(column: str, key: str, **values: Any) -> None:
        problems.append(row.problem(column, key, **values))

    name = cell_text(cells.get("name"))
    if not name:
        wrong("name", "imports.required")
    elif problem := text_problem(name):
        wrong("name", problem, value=name)
    teacher = name_text(cells.get("teacher"))
    if teacher and (problem := text_problem(teacher)):
        wrong("teacher", problem, value=teacher)
    term = cell_text(cells.get("term"))
    if term and term not in terms:
        wrong("term", "imports.unknown_term", name=term)
    elif not term and not default_term:
        wrong("term", "imports.required")
    slots = row_slots(row, wrong)
    capacity = cell_text(cells.get("capacity")).removesuffix("人") or "0"
    if not (capacity.isascii() and capacity.isdigit()):
        wrong("capacity", "imports.bad_capacity", value=cell_text(cells.get("capacity")))
    if len(problems) > before:
        return None
    return CourseRow(
        row,
        name,
        term,
        slots,
        cell_text(cells.get("category")) or "lesson",
        teacher,
        cell_text(cells.get("room")),
        int(capacity),
    )


def row_slots(row: Row, wrong: Wrong) -> list[dict]:
    """The weekly times of a row, from 上课时间 and from 上午 and 下午 columns (where 2:30 is
    14:30); [] after reporting what is wrong."""
    columns = [name for name in TIMES if name in row.part.letters] or ["schedule"]
    texts = [(name, cell_text(row.cells.get(name))) for name in columns]
    texts = [(name, text) for name, text in texts if text] or [(columns[0], "")]
    slots: list[dict] = []
    fine = True
    for name, text in texts:
        try:
            found = parse_slots(_CLOCK.sub(_afternoon, text) if name == "afternoon" else text)
        except SlotError as e:
            wrong(name, e.key, **e.values)
            fine = False
            continue
        for slot in found:
            if name == "morning" and slot["start"] >= "12:00":
                wrong(name, "imports.morning_afternoon", slot=format_slots([slot]))
                fine = False
            elif slot["start"] < EARLIEST:
                wrong(name, "imports.too_early", slot=format_slots([slot]), earliest=EARLIEST)
                fine = False
        slots += found
    if fine and len(texts) > 1:
        try:
            check_slots(slots)  # a morning and an afternoon slot that overlap
        except SlotError as e:
            wrong(texts[0][0], e.key, **e.values)
            fine = False
    return slots if fine else []


def _afternoon(m: re.Match) -> str:
    """A time under a 下午 header: 1:00-11:59 are 13:00-23:59; 12:30 and 14:30 stay as they are."""
    hour = int(m.group(1))
    return f"{hour + 12}:{m.group(2)}" if 1 <= hour < 12 else m.group(0)
