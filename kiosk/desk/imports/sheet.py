"""Reading the spreadsheets centers keep (.xlsx, or .csv as Excel saves it: UTF-8 with or without
a BOM, or GB18030 on Chinese Windows): the header found among the first rows under any of its
usual names, each cell as text or a date, and the report of what an import found or did."""

import csv
import hashlib
import io
import re
import zipfile
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kiosk.i18n import t
from kiosk.staff.refused import Refused
from kiosk.store.db import db, write

HEADER_ROWS = 10  # a title row or two may come before the header
BATCH = 200  # rows per INSERT: well under SQLite's 32,766 parameters

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_HEADER_NOISE = re.compile(r"[（(][^）)]*[）)]|[\s*＊:：]")


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's own row number, as Excel shows it
    column: str  # the column's header as the file has it
    message: str

    def __str__(self) -> str:
        return t("imports.row_error", row=self.row, column=self.column, message=self.message)


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

    @property
    def ok(self) -> bool:
        return not self.errors

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


@dataclass
class Sheet:
    name: str  # the file's name, for messages and the audit trail
    sha256: str
    headers: dict[str, str]  # field → its header as the file has it (or as asked for, if absent)
    present: set[str]  # the fields the file has a column for
    rows: list[tuple[int, dict]]  # (row number, field → cell value), blank rows left out
    unknown: list[str]  # headers not recognised: ignored

    def warnings(self) -> list[str]:
        if not self.unknown:
            return []
        return [t("imports.unknown_columns", columns="、".join(f"「{h}」" for h in self.unknown))]


def read_sheet(path: str | Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Sheet:
    """The file's header and rows, or Refused when it cannot be read or lacks a required column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Refused("imports.not_found", file=path) from None
    except OSError:
        raise Refused("imports.unreadable", file=path.name) from None
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(data, path.name)
    elif suffix == ".csv":
        rows = _csv_rows(data, path.name)
    else:
        raise Refused("imports.unsupported", file=path.name)
    rows = [(n, values) for n, values in rows if any(cell_text(v) for v in values)]
    if not rows:
        raise Refused("imports.no_rows", file=path.name)
    aliases = {_header(a): name for name, names in columns.items() for a in names}
    at = next(
        (
            i
            for i, (_, values) in enumerate(rows[:HEADER_ROWS])
            if set(required) <= {aliases.get(_header(v)) for v in values}
        ),
        0,
    )
    header = rows[at][1]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    for i, value in enumerate(header):
        text = cell_text(value)
        name = aliases.get(_header(value))
        if name is None:
            if text:
                unknown.append(text)
        elif name in headers:
            raise Refused("imports.duplicate_column", a=headers[name], b=text)
        else:
            positions[name], headers[name] = i, text
    missing = [columns[name][0] for name in required if name not in headers]
    if missing:
        raise Refused("imports.missing_column", column="、".join(missing), file=path.name)
    body = [
        (n, {name: values[i] if i < len(values) else None for name, i in positions.items()})
        for n, values in rows[at + 1 :]
    ]
    if not body:
        raise Refused("imports.no_rows", file=path.name)
    present = set(headers)
    headers.update({name: names[0] for name, names in columns.items() if name not in headers})
    return Sheet(path.name, hashlib.sha256(data).hexdigest(), headers, present, body, unknown)


def _xlsx_rows(data: bytes, name: str) -> list[tuple[int, tuple]]:
    """The first sheet's rows with Excel's row numbers."""
    from openpyxl import (
        load_workbook,  # here: loading it takes 0.1 s, which every command would pay
    )
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise Refused("imports.unreadable", file=name) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size, which would cut rows off
        return list(enumerate(sheet.iter_rows(min_row=1, values_only=True), 1))
    finally:
        book.close()


def _csv_rows(data: bytes, name: str) -> list[tuple[int, tuple]]:
    """Rows of a CSV as Excel writes it: UTF-8 (with or without a BOM), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused("imports.unreadable", file=name)
    try:
        return [(n, tuple(values)) for n, values in enumerate(csv.reader(io.StringIO(text, newline="")), 1)]
    except csv.Error:
        raise Refused("imports.unreadable", file=name) from None


def _header(value) -> str:
    """A header as written, without spaces, asterisks marking it required, or notes in brackets."""
    return _HEADER_NOISE.sub("", cell_text(value))


def cell_text(value) -> str:
    """A cell as text: whole numbers without ".0" (a phone number Excel keeps as a number), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def cell_date(value, today: date) -> date:
    """A date cell, or text as people type dates: 1948-03-02, 1948/3/2, 1948年3月2日, 19480302."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = cell_text(value)
        m = _DATE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        if not m:
            raise ValueError(text)
        value = date(*map(int, m.groups()))
    if not date(1900, 1, 1) <= value <= today:
        raise ValueError(value)
    return value


def course_key(name: str) -> str:
    """The same course whether written with full- or half-width brackets, or with spaces."""
    return re.sub(r"\s", "", name).replace("(", "（").replace(")", "）")


def transaction(dry_run: bool) -> AbstractContextManager:
    # The checks and the writes see the same database: nobody takes a member number or a place
    # in between.  A dry run only reads.
    return db.atomic() if dry_run else write()
