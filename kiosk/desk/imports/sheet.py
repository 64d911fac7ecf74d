"""The kiosk's side of reading a spreadsheet: the file read from the USB stick, the reading and the
row checks of contract.imports (shared with the bureau's console), their problems rendered through
the kiosk's message catalog; and the report of what an import found or did."""

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from contract.imports import sheet as shared
from contract.imports.sheet import (
    Columns,
    Part,
    Problem,
    Row,
    RowProblem,
    Sheet,
    cell_date,
    cell_text,
    course_key,
    name_text,
    text_problem,
)
from kiosk.i18n import t
from kiosk.staff.refused import Refused
from kiosk.store.db import db, write

BATCH = 200  # rows per INSERT: well under SQLite's 32,766 parameters

__all__ = [
    "BATCH",
    "ImportReport",
    "Part",
    "Row",
    "RowError",
    "Sheet",
    "cell_date",
    "cell_text",
    "course_key",
    "label",
    "name_text",
    "read_sheet",
    "row_error",
    "row_label",
    "text_problem",
    "transaction",
]


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's own row number, as Excel shows it
    column: str  # the column's header as the file has it ("": the whole row)
    message: str
    sheet: str = ""  # the worksheet, when the workbook has several
    letter: str = field(default="", compare=False)  # the column's letter, when the file has the column

    def __str__(self) -> str:
        row = row_label(self.row, self.sheet)
        if not self.column:
            return t("imports.row_error_row", row=row, message=self.message)
        if not self.letter:
            return t("imports.row_error_absent", row=row, column=self.column, message=self.message)
        return t("imports.row_error", row=row, letter=self.letter, column=self.column, message=self.message)

    @classmethod
    def of(cls, p: RowProblem) -> "RowError":
        """A problem of the shared checks, in the catalog's words."""
        return cls(p.row, p.column, message(p.problem), p.sheet, p.letter)


def message(problem: Problem) -> str:
    return t(problem.key, **problem.values)


def row_error(row: Row, column: str, message_key: str, /, **values) -> RowError:
    """The row's error in the column of field `column`."""
    return RowError.of(row.problem(column, message_key, **values))


def label(row: Row) -> str:
    """Where the row is, as staff find it: 「第 3 行」 or 「「书法班」第 3 行」."""
    return row_label(row.n, row.part.sheet)


def row_label(n: int, sheet: str = "") -> str:
    """「第 3 行」, or 「「书法班」第 3 行」 in a workbook of several sheets."""
    return t("imports.sheet_row", sheet=sheet, row=n) if sheet else t("imports.row", row=n)


@dataclass
class ImportReport:
    kind: str  # "members" or "courses"
    file: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0  # new places (members)
    waitlisted: int = 0  # new enrolments on a waitlist: the course was full (members)
    lessons: int = 0  # lessons generated (courses)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Names read from an ID card the import would change (members), one line each; they are
    # changed only when the import was told to (overwrite_verified), else nothing is written.
    renames: list[str] = field(default_factory=list)
    renames_confirmed: bool = False

    @classmethod
    def of(cls, kind: str, sheet: Sheet, dry_run: bool, **more) -> "ImportReport":
        """The report of an import of `sheet`, with what reading it found."""
        errors = [RowError.of(p) for p in sheet.errors]
        return cls(kind, sheet.name, dry_run, errors=errors, warnings=[message(n) for n in sheet.notes], **more)

    @property
    def needs_confirm(self) -> bool:
        return bool(self.renames) and not self.renames_confirmed

    @property
    def ok(self) -> bool:
        return not self.errors and not self.needs_confirm

    def summary(self) -> str:
        key = "imports.summary_members" if self.kind == "members" else "imports.summary_courses"
        text = t(
            key,
            file=self.file,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            enrolled=self.enrolled,
            waitlisted=self.waitlisted,
            lessons=self.lessons,
        )
        return text + (t("imports.dry_run") if self.dry_run else "")


def read_sheet(path: str | Path, columns: Columns, required: tuple[str, ...]) -> Sheet:
    """Every table of the file (contract.imports.sheet.read_sheet), or Refused when the file cannot
    be read, has no table, or a table lacks a required column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Refused("imports.not_found", file=path) from None
    except OSError:
        raise Refused("imports.unreadable", file=path.name) from None
    try:
        return shared.read_sheet(data, path.name, columns, required)
    except shared.SheetError as e:
        raise Refused(e.key, **e.values) from None


def transaction(dry_run: bool) -> AbstractContextManager:
    # The checks and the writes see the same database: nobody takes a member number or a place
    # in between.  A dry run only reads.
    return db.atomic() if dry_run else write()
