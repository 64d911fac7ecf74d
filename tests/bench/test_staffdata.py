"""The staff-data benchmark, built small: the roster import and the term export do what they time."""

import csv

import pytest
from openpyxl import load_workbook

from bench import staffdata

SMALL = staffdata.Size(members=60, courses=6, weeks=4, capacity=12, runs=2)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    return staffdata.measure(tmp_path_factory.mktemp("staffdata"), SMALL)


def test_every_run_imports_the_whole_roster(measured):
    timings = (measured.imports, measured.xlsx, measured.csv)
    assert all(len(x.wall_s) == len(x.cpu_s) == SMALL.runs for x in timings)
    assert (measured.courses.created, measured.courses.lessons, measured.lessons) == (6, 24, 24)
    roster = measured.roster
    assert (roster.created, roster.errors) == (60, [])
    # 60 members with 1-3 of 6 courses of 12 places: some are waitlisted, and places are never exceeded.
    assert 60 <= roster.enrolled + roster.waitlisted == measured.enrolments <= 180
    assert roster.enrolled <= 6 * 12 and roster.waitlisted > 0


def test_the_export_holds_every_sign_in(measured):
    book = load_workbook(measured.xlsx_file, read_only=True)
    assert len(book.sheetnames) == 6
    marks = sum(row.count("✓") for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    assert marks == measured.sign_ins
    places = measured.roster.enrolled * SMALL.weeks  # an enrolled member's lessons
    assert 0.6 * places < measured.sign_ins < places  # about 80 % came
    assert len(measured.csv_files) == 6
    rows = 0
    for path in measured.csv_files:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows += sum(r.count("✓") for r in csv.reader(f))
    assert rows == measured.sign_ins


def test_the_figures_name_their_targets(capsys):
    figures = staffdata.run(SMALL)
    assert [(f.name, f.target) for f in figures] == [
        ("roster import (60 members, .xlsx)", "p50 ≤ 10 s"),
        ("term attendance export (6 courses, .xlsx)", "p50 ≤ 5 s"),
        ("term attendance export (6 courses, .csv)", ""),
    ]
    out = capsys.readouterr().out
    assert "CPU cores" in out and out.count("[target p50 ≤") == 2
