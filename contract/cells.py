"""Spreadsheet cells that stay text: a value written into a .csv or .xlsx file that Excel or WPS
would take for a formula (it starts with = + - @, a TAB or a CR) is written so that it cannot be
one.  Names reach the kiosk's and the bureau's exports from roster imports and from any kiosk, so
every exporter writes its text cells through here, and both write workbooks with write_xlsx."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

SHEET_MAX = 31  # Excel's limit on a sheet name
SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
WIDTH_ROWS = 500  # column widths are measured on the first rows only

# What starts a formula in Excel, WPS or LibreOffice (a TAB or CR before one is skipped over).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """True for text a spreadsheet would evaluate; numbers and dates are never formulas."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """The value for a CSV cell: formula-like text behind a leading ', which spreadsheets show
    as text; anything else unchanged."""
    return "'" + value if formula_like(value) else value


def csv_row(row: list | tuple) -> list:
    return [csv_cell(value) for value in row]


class Table(Protocol):
    """What write_xlsx needs of a table: a title (its sheet's name), column names and rows."""

    @property
    def title(self) -> str: ...
    @property
    def columns(self) -> Sequence[str]: ...
    @property
    def rows(self) -> Sequence[Sequence[Any]]: ...


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


def write_xlsx(tables: Sequence[Table], target: str | Path | IO[bytes]) -> None:
    """A workbook with one sheet per table: bold, frozen header row and columns wide enough to read.
    Written streaming (write-only), so a term's 300 sheets take seconds.  `target` is a path or a
    binary file."""
    from openpyxl import Workbook  # here: loading it takes 0.1 s, which every command would pay
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    book = Workbook(write_only=True)
    names: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.title, names))
        for i, width in enumerate(_widths(table), 1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for value in table.columns:
            cell = _cell(sheet, value)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_value(sheet, value) for value in row])
    book.save(target)


def sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: ≤ 31 characters, none of []:*?/\\, unique ignoring case."""
    return unique(SHEET_BAD.sub("_", title).strip("' ") or "Sheet", taken, SHEET_MAX)


def unique(name: str, taken: set[str], limit: int = 100) -> str:
    """`name` cut to `limit` characters, with (2), (3) … until it is not in `taken` ignoring case;
    the name chosen is added to `taken`."""
    candidate, n = name[:limit], 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f"({n})"
        candidate = name[: limit - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _xlsx_value(sheet, value):
    """What a write-only sheet appends for a value: no cell at all for "" (faster), a cell of its
    own for text a spreadsheet would take for a formula, else the plain value."""
    if value == "":
        return None
    return _cell(sheet, value) if formula_like(value) else value


def _cell(sheet, value):
    """A cell that is never a formula: formula-like text as an explicit string, marked to stay
    text when someone edits it in Excel."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if formula_like(value):
        cell.data_type = "s"  # openpyxl makes a formula of any text starting with "="
        cell.quotePrefix = True
    return cell


def _widths(table: Table) -> list[float]:
    """Each column as wide as its widest value in the header and first rows (a Chinese character
    is two), within 6-50."""
    widths = [_display_width(c) for c in table.columns]
    for row in table.rows[:WIDTH_ROWS]:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], _display_width(value))
    return [min(50, max(6, w + 2)) for w in widths]


def _display_width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
