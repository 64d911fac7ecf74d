"""Spreadsheet cells that stay text (contract/cells.py): what counts as a formula, its CSV form, and
the workbooks both sides write."""

from datetime import date

import pytest
from openpyxl import load_workbook

from contract import cells
from contract.cells import Sheet, csv_cell, csv_row, formula_like


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=", "-"])
def test_what_a_spreadsheet_would_evaluate(text):
    assert formula_like(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["王建华", "DM0001", "a=b", " =1", "'=1", "", "１+1", -5, 3.5, None, date(2025, 1, 1)]
)
def test_what_stays_as_it_is(value):
    assert not formula_like(value)
    assert csv_cell(value) == value


def test_a_row():
    assert csv_row(("DM0001", "=HYPERLINK(1)", -5, None)) == ["DM0001", "'=HYPERLINK(1)", -5, None]


def test_a_workbook_has_a_sheet_per_table_with_a_bold_frozen_header(tmp_path):
    long = "二〇二五年春季学期老年大学书法（二）班周二上午班考勤记录表（续表）"  # 33 characters
    tables = [
        Sheet("太极拳（一）班", ["学员编号", "姓名", "03-03"], [["DM0001", "赵一", "✓"], ["DM0002", "钱二", None]]),
        Sheet(long + "一", ["a"], [[1]]),
        Sheet(long + "二", ["a"], [[2]]),
        Sheet("书法/国画:[一]", ["a"], []),
    ]
    path = tmp_path / "考勤.xlsx"
    cells.write_xlsx(tables, path)
    book = load_workbook(path)
    assert book.sheetnames == ["太极拳（一）班", long[:31], long[:28] + "(2)", "书法_国画__一_"]
    sheet = book["太极拳（一）班"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [["学员编号", "姓名", "03-03"], ["DM0001", "赵一", "✓"], ["DM0002", "钱二", None]]
    assert sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert sheet.column_dimensions["A"].width == 10 and sheet.column_dimensions["C"].width == 7
