"""Spreadsheet cells that stay text (contract/cells.py): what counts as a formula, and its CSV form."""

from datetime import date

import pytest

from contract.cells import csv_cell, csv_row, formula_like


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
