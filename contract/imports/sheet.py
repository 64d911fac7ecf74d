"""Reading the spreadsheets centers keep (.xlsx, or .csv as Excel saves it: UTF-8 with or without
a BOM, or GB18030 on Chinese Windows; commas, semicolons or tabs): every sheet with a header, the
header found among the first rows under any of its usual names, each cell as the file holds it
(text, number or date), totals rows left out and hidden rows refused; where a row is (sheet, row,
column letter and header)."""

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from contract.cells import FORMULA_START

HEADER_ROWS = 10  # a title row or two may come before the header
FLAGGED = "□"  # the ID card's stand-in for a name character it could not give

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
class Problem:
    """What is wrong (or worth a note), as a message code and its values; each side renders it."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


class SheetError(ValueError):
    """A file that cannot be imported at all: .key names the message, .values fill it in."""

    def __init__(self, key: str, **values: Any):
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class RowProblem:
    """A problem of one row: where it is (as Excel shows it) and what it is."""

    row: int  # the spreadsheet's own row number
    column: str  # the column's header as the file has it ("": the whole row)
    problem: Problem
    sheet: str = ""  # the worksheet, when the workbook has several
    letter: str = ""  # the column's letter, when the file has the column


def row_label(n: int, sheet: str = "") -> str:
    """「第 3 行」, or 「工作表「书法班」第 3 行」 in a workbook of several sheets."""
    return f"工作表「{sheet}」第 {n} 行" if sheet else f"第 {n} 行"


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

    def problem(self, column: str, key: str, /, **values: Any) -> RowProblem:
        """The row's problem in the column of field `column`."""
        p = self.part
        return RowProblem(self.n, p.headers[column], Problem(key, values), p.sheet, p.letters.get(column, ""))


@dataclass
class Sheet:
    name: str  # the file's name, for messages and the audit trail
    sha256: str
    typed: bool  # cells hold numbers and dates as such (.xlsx), not only text (.csv)
    parts: list[Part]
    rows: list[Row]  # blank, totals and hidden rows left out
    errors: list[RowProblem]  # found while reading: hidden rows, a totals row with a name
    notes: list[Problem]  # for staff: columns not recognised, sheets and totals rows left out

    def has(self, name: str) -> bool:
        """Whether any table of the file has a column for field `name`."""
        return any(name in p.letters for p in self.parts)


Cells = list[tuple[int, tuple]]  # (row number, the row's values)
Columns = dict[str, tuple[str, ...]]  # field → the headers it goes by, the one asked for first


def read_sheet(data: bytes, name: str, columns: Columns, required: tuple[str, ...]) -> Sheet:
    """Every table of the file `name` holding `data` (each sheet of a workbook that has a header),
    or SheetError when the file cannot be read, has no table, or a table lacks a required column."""
    suffix = name.lower().rpartition(".")[2]
    aliases = {_header(a): field for field, names in columns.items() for a in names}
    if suffix == "xlsx":
        tables = _xlsx_tables(data, name)
    elif suffix == "csv":
        tables = [("", _csv_rows(data, name, aliases, required), frozenset(), True)]
    else:
        raise SheetError("imports.unsupported", file=name)
    sheet = Sheet(name, hashlib.sha256(data).hexdigest(), suffix == "xlsx", [], [], [], [])
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
            raise SheetError("imports.hidden_sheet", file=name, sheet=title)
        at, positions, headers, unknown = found
        where = title if several else ""
        missing = [columns[f][0] for f in required if f not in headers]
        if missing:
            raise SheetError(
                "imports.missing_column_in" if where else "imports.missing_column",
                column="、".join(missing),
                file=name,
                sheet=where,
                found="、".join(f"「{h}」" for h in headers.values()),
            )
        part = Part(
            where,
            {**{f: names[0] for f, names in columns.items()}, **headers},
            {f: column_letter(i) for f, i in positions.items()},
            hidden,
        )
        sheet.parts.append(part)
        if unknown:
            sheet.notes.append(Problem("imports.unknown_columns", {"columns": "、".join(f"「{h}」" for h in unknown)}))
        _body(sheet, part, cells[at + 1 :], positions)
    if not sheet.parts:
        if not first_lines:
            raise SheetError("imports.no_rows", file=name)
        raise SheetError("imports.no_header", file=name, column=columns[required[0]][0], first=first_lines[0])
    sheet.notes += [Problem("imports.sheet_skipped", {"sheet": title}) for title in skipped if title]
    if not sheet.rows:
        raise SheetError("imports.no_rows", file=name)
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
            raise SheetError("imports.duplicate_column", a=headers[name], b=text)
        else:
            positions[name], headers[name] = i, text
    return best, positions, headers, unknown


def _body(sheet: Sheet, part: Part, cells: Cells, positions: dict[str, int]) -> None:
    """The rows under a header: hidden rows refused (nobody looked at them), totals rows left out."""
    for n, values in cells:
        row = Row(n, part, {name: values[i] if i < len(values) else None for name, i in positions.items()})
        if n in part.hidden:
            sheet.errors.append(RowProblem(n, "", Problem("imports.hidden_row"), part.sheet))
            continue
        total = next((text for text in map(cell_text, values) if _TOTAL.fullmatch(re.sub(r"\s", "", text))), None)
        if total is None:
            sheet.rows.append(row)
        elif cell_text(row.cells.get("name")) in ("", total):
            sheet.notes.append(Problem("imports.total_skipped", {"row": row_label(n, part.sheet), "text": total}))
        else:
            sheet.errors.append(row.problem("name", "imports.total_with_name", text=total))


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
    from openpyxl import load_workbook  # here: loading it takes 0.1 s, which every command would pay
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read-only: that mode does not tell hidden rows.  data_only: a formula's cached
        # value, never the formula (a cell "=1+1" typed as text stays that text).
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise SheetError("imports.unreadable", file=name) from None
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
        raise SheetError("imports.unreadable", file=name)
    try:
        readings = [
            [(n, tuple(values)) for n, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=d), 1)]
            for d in ",;\t"
        ]
    except csv.Error:
        raise SheetError("imports.unreadable", file=name) from None
    # The separator whose reading finds the header; a comma when none does.
    for rows in readings:
        found = _find_header([r for r in rows if any(r[1])], aliases, required)
        if found is not None and set(required) <= set(found[1]):
            return rows
    return readings[0]


def _header(value: Any) -> str:
    """A header as written, without spaces, asterisks marking it required, or notes in brackets."""
    return _HEADER_NOISE.sub("", cell_text(value))


def cell_text(value: Any) -> str:
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


def name_text(value: Any) -> str:
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


def cell_date(value: Any, today: date) -> date:
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
