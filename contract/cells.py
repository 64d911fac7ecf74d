"""Spreadsheet cells that stay text: a value written into a .csv or .xlsx file that Excel or WPS
would take for a formula (it starts with = + - @, a TAB or a CR) is written so that it cannot be
one.  Names reach the kiosk's and the bureau's exports from roster imports and from any kiosk, so
every exporter writes its text cells through here."""

from typing import Any

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
