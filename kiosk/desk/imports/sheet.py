"""Reading the spreadsheets centers keep (.xlsx, or .csv as Excel saves it: UTF-8 with or without
a BOM, or GB18030 on Chinese Windows; commas, semicolons or tabs): every sheet with a header, the
header found among the first rows under any of its usual names, each cell as the file holds it
(text, number or date), totals rows left out and hidden rows refused; where a row is (sheet, row,
column letter and header), and the report of what an import found or did."""

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from contract.cells import FORMULA_START
from kiosk.i18n import t
from kiosk.identity.credentials import FLAGGED
from kiosk.staff.refused import Refused
from kiosk.store.db import db, write

HEADER_ROWS = 10  # a title row or two may come before the header
BATCH = 200  # rows per INSERT: well under SQLite's 32,766 parameters

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_HEADER_NOISE = re.compile(r"[（(][^）)]*[）)]|[\s*＊:：]")
_HAN = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff·"
_PADDED = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])|(?<=·) | (?=·)")
# What an encoding conversion leaves of a character it could not convert, and the ID card's own
# stand-in for a character it could not give.
_LOST = "?？\ufffd" + FLAGGED
# A totals row: 「合计」, 「小 计」, 「总计：35人」 in any of its cells.
_TOTAL = re.compile(r"(合计|小计|总计|共计)[:：]?[0-9]*[人名门个]?")


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


@dataclass(frozen=True, eq=False)  # one table is equal only to itself
class Part:
    """One table of a file: a worksheet (named when the workbook has several), or the CSV."""

    sheet: str
    headers: dict[str, str]  # field → its header as the file has it (or as asked for, if absent)
    letters: dict[str, str]  # field → its column's letter, for the fields the file has
    hidden: frozenset[int] = frozenset()  # rows hidden in Excel


@dataclass(frozen=True)
class Row:
    n: int  # the row number as the spreadsheet shows it
    part: Part
    cells: dict  # field → the cell's value (text, number or date as the file holds it)

    @property
    def label(self) -> str:
        return row_label(self.n, self.part.sheet)

    def error(self, column: str, message_key: str, /, **values) -> RowError:
        """The row's error in the column of field `column`."""
        p = self.part
        return RowError(self.n, p.headers[column], t(message_key, **values), p.sheet, p.letters.get(column, ""))


@dataclass
class Sheet:
    name: str  # the file's name, for messages and the audit trail
    sha256: str
    typed: bool  # cells hold numbers and dates as such (.xlsx), not only text (.csv)
    parts: list[Part]
    rows: list[Row]  # blank, totals and hidden rows left out
    errors: list[RowError]  # found while reading: hidden rows, a totals row with a name
    notes: list[str]  # for staff: columns not recognised, sheets and totals rows left out

    def has(self, name: str) -> bool:
        """Whether any table of the file has a column for field `name`."""
        return any(name in p.letters for p in self.parts)


Cells = list[tuple[int, tuple]]  # (row number, the row's values)


def read_sheet(path: str | Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Sheet:
    """Every table of the file (each sheet of a workbook that has a header), or Refused when the
    file cannot be read, has no table, or a table lacks a required column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Refused("imports.not_found", file=path) from None
    except OSError:
        raise Refused("imports.unreadable", file=path.name) from None
    suffix = path.suffix.lower()
    aliases = {_header(a): name for name, names in columns.items() for a in names}
    if suffix == ".xlsx":
        tables = _xlsx_tables(data, path.name)
    elif suffix == ".csv":
        tables = [("", _csv_rows(data, path.name, aliases, required), frozenset(), True)]
    else:
        raise Refused("imports.unsupported", file=path.name)
    sheet = Sheet(path.name, hashlib.sha256(data).hexdigest(), suffix == ".xlsx", [], [], [], [])
    skipped, first_lines = [], []
    several = len(tables) > 1
    for title, cells, hidden, visible in tables:
        cells = [(n, values) for n, values in cells if any(cell_text(v) for v in values)]
        found = _find_header(cells, aliases, required)
        if found is None:  # no column it knows: an instructions sheet, a list for drop-downs
            if cells and visible:
                skipped.append(title)
                first_lines.append(_first_line(cells))
            continue
        if not visible:  # a table nobody looked at
            raise Refused("imports.hidden_sheet", file=path.name, sheet=title)
        at, positions, headers, unknown = found
        where = title if several else ""
        missing = [columns[name][0] for name in required if name not in headers]
        if missing:
            raise Refused(
                "imports.missing_column_in" if where else "imports.missing_column",
                column="、".join(missing),
                file=path.name,
                sheet=where,
                found="、".join(f"「{h}」" for h in headers.values()),
            )
        part = Part(
            where,
            {**{name: names[0] for name, names in columns.items()}, **headers},
            {name: column_letter(i) for name, i in positions.items()},
            hidden,
        )
        sheet.parts.append(part)
        if unknown:
            sheet.notes.append(t("imports.unknown_columns", columns="、".join(f"「{h}」" for h in unknown)))
        _body(sheet, part, cells[at + 1 :], positions)
    if not sheet.parts:
        if not first_lines:
            raise Refused("imports.no_rows", file=path.name)
        raise Refused("imports.no_header", file=path.name, column=columns[required[0]][0], first=first_lines[0])
    sheet.notes += [t("imports.sheet_skipped", sheet=title) for title in skipped if title]
    if not sheet.rows:
        raise Refused("imports.no_rows", file=path.name)
    return sheet


def _find_header(
    cells: Cells, aliases: dict[str, str], required: tuple[str, ...]
) -> tuple[int, dict[str, int], dict[str, str], list[str]] | None:
    """Among the first rows, the header: the first row with every required column, else the row
    that names the most columns; None when no row names any."""
    best, best_count = None, 0
    for i, (_, values) in enumerate(cells[:HEADER_ROWS]):
        known = {aliases.get(_header(v)) for v in values} - {None}
        if set(required) <= known:
            best = i
            break
        if len(known) > best_count:
            best, best_count = i, len(known)
    if best is None:
        return None
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    for i, value in enumerate(cells[best][1]):
        text = cell_text(value)
        name = aliases.get(_header(value))
        if name is None:
            if text:
                unknown.append(text)
        elif name in headers:
            raise Refused("imports.duplicate_column", a=headers[name], b=text)
        else:
            positions[name], headers[name] = i, text
    return best, positions, headers, unknown


def _body(sheet: Sheet, part: Part, cells: Cells, positions: dict[str, int]) -> None:
    """The rows under a header: hidden rows refused (nobody looked at them), totals rows left out."""
    for n, values in cells:
        row = Row(n, part, {name: values[i] if i < len(values) else None for name, i in positions.items()})
        if n in part.hidden:
            sheet.errors.append(RowError(n, "", t("imports.hidden_row"), part.sheet))
            continue
        total = next((text for text in map(cell_text, values) if _TOTAL.fullmatch(re.sub(r"\s", "", text))), None)
        if total is None:
            sheet.rows.append(row)
        elif cell_text(row.cells.get("name")) in ("", total):
            sheet.notes.append(t("imports.total_skipped", row=row.label, text=total))
        else:
            sheet.errors.append(row.error("name", "imports.total_with_name", text=total))


def _first_line(cells: Cells) -> str:
    """The first row with something in it, as staff would read it, cut short."""
    text = " ".join(cell_text(v) for v in cells[0][1] if cell_text(v))
    return text if len(text) <= 40 else text[:40] + "…"


def column_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel names it."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


def _xlsx_tables(data: bytes, name: str) -> list[tuple[str, Cells, frozenset[int], bool]]:
    """Each sheet's name, rows with Excel's row numbers, hidden rows, and whether it is shown."""
    from openpyxl import (
        load_workbook,  # here: loading it takes 0.1 s, which every command would pay
    )
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read-only: that mode does not tell hidden rows.
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise Refused("imports.unreadable", file=name) from None
    try:
        tables = []
        for sheet in book.worksheets:
            cells = list(enumerate(sheet.iter_rows(min_row=1, values_only=True), 1))
            hidden = frozenset(n for n, d in sheet.row_dimensions.items() if d.hidden)
            tables.append((sheet.title, cells, hidden, sheet.sheet_state == "visible"))
        return tables
    finally:
        book.close()


def _csv_rows(data: bytes, name: str, aliases: dict[str, str], required: tuple[str, ...]) -> Cells:
    """Rows of a CSV as Excel writes it: UTF-8 (with or without a BOM), else GB18030; separated
    by commas, or by semicolons or tabs as Excel writes it in some countries."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused("imports.unreadable", file=name)
    try:
        readings = [
            [(n, tuple(values)) for n, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=d), 1)]
            for d in ",;\t"
        ]
    except csv.Error:
        raise Refused("imports.unreadable", file=name) from None
    # The separator whose reading finds the header; a comma when none does.
    for rows in readings:
        found = _find_header([r for r in rows if any(r[1])], aliases, required)
        if found is not None and set(required) <= set(found[1]):
            return rows
    return readings[0]


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


def name_text(value) -> str:
    """A name without the padding people type to line names up: 「王　芳」 and 「王 芳」 are 王芳;
    between Latin letters one space stays (Maria Lopez)."""
    text = " ".join(cell_text(value).split())
    return _PADDED.sub("", text)


def text_problem(text: str) -> str | None:
    """The message key for a name that cannot be stored as it is, else None: a control character,
    a leading formula character, or a character an encoding conversion lost."""
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        return "imports.name_control"
    if text.startswith(FORMULA_START):
        return "imports.name_formula"
    if any(c in _LOST for c in text):
        return "imports.name_lost_char"
    return None


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
