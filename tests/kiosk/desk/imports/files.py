"""Roster and course-list files in the shapes centers really make them, built here with openpyxl
and csv: several sheets, hidden rows and sheets, ID numbers stored as numbers, semicolons."""

import csv
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from kiosk.identity import ids

NOW = datetime(2025, 2, 20, 10, 0)  # the week before the world's term (2025-02-24 … 06-29) begins
TAICHI, CALLIGRAPHY = "太极拳（一）班", "书法（二）班"


def id_number(first17: str) -> str:
    return first17 + ids.check_char(first17)


ID_ZHAO = id_number("11010519480302001")  # born 1948-03-02, a man (odd 17th digit)
ID_QIAN = id_number("31010419520715002")  # born 1952-07-15, a woman
ID_SUN = id_number("44030819491010002")  # born 1949-10-10, a woman; digits only


def excel_damaged() -> tuple[str, int]:
    """A real ID number, and what a spreadsheet keeps of it typed into a General cell: 15
    significant digits, the rest 0.  Chosen so that the damaged number passes the check character
    too, the case a check alone cannot catch."""
    for day in range(1, 29):
        for digit in "0123456789":
            first15 = f"110105194803{day:02d}{digit}"  # region, born 1948-03-dd, a digit
            if ids.check_char(first15 + "00") == "0":
                real = id_number(first15 + "12")
                return real, int(real) // 1000 * 1000
    raise AssertionError("no such number")


def workbook(
    path: Path,
    sheets: dict[str, list[list]],
    hidden_rows: dict[str, set[int]] | None = None,
    hidden_sheets: tuple[str, ...] = (),
) -> Path:
    """An .xlsx with these sheets in this order; cells as given (numbers stay numbers, General format)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for n in (hidden_rows or {}).get(title, set()):
            sheet.row_dimensions[n].hidden = True
        if title in hidden_sheets:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def xlsx(path: Path, rows: list[list], **kw) -> Path:
    return workbook(path, {"名单": rows}, **({"hidden_rows": {"名单": kw["hidden"]}} if "hidden" in kw else {}))


def csv_file(path: Path, rows: list[list], delimiter: str = ",", encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path
