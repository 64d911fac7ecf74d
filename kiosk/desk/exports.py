"""Reports to files: .xlsx (one sheet a table) or .csv (UTF-8 with a BOM, so Excel on Chinese
Windows reads it right), into the export folder or onto a USB stick.

An export carries personal data out of the kiosk, so each one is an audit entry: who exported
what, into which files (docs/design.md §9.5).
"""

import csv
import glob
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from contract.cells import csv_row, unique, write_xlsx
from kiosk.desk import reports
from kiosk.desk.reports import Table
from kiosk.files import free_path
from kiosk.i18n import t
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.db import get_by, write
from kiosk.store.models import Course, Member, Term

REPORTS = ("attendance", "course", "member", "day", "activities", "points", "care")
FORMATS = ("xlsx", "csv")
# Where removable media are mounted: /media/<user>/<label> (udisks on Debian and Ubuntu) and
# /run/media/<user>/<label> (udisks elsewhere).
MEDIA = ("/media/*/*", "/run/media/*/*")

_FILE_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]')

log = logging.getLogger(__name__)


def write_csv(table: Table, path: str | Path) -> Path:
    """The table as CSV in UTF-8 with a BOM: without one, Excel takes the Chinese for GBK."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(csv_row(table.columns))
        out.writerows(map(csv_row, table.rows))
    return path


def export(actor: Actor, report: str, fmt: str, folder: str | Path, now: datetime, **params) -> list[Path]:
    """Write `report` (one of REPORTS) as `fmt` into `folder`, named in Chinese with the date;
    returns the files.  Several tables as CSV go one file each into a folder of their own.

    params by report: attendance term_id=; course course_id=; member member_no=, term_id=; day day=;
    activities and points start=, end= (dates, both included); care missed_in_row=, absent_weeks=."""
    if report not in REPORTS:
        raise Refused("exports.unknown_report", name=report)
    if fmt not in FORMATS:
        raise Refused("exports.unknown_format", fmt=fmt)
    folder = Path(folder)
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise Refused("exports.folder_unwritable", folder=folder)
    label, tables, described = _report(report, now, params)
    if not tables:
        raise Refused("exports.empty", name=label)
    several = fmt == "csv" and len(tables) > 1  # one CSV a table, in a folder of their own
    target = free_path(folder / (_file_name(f"{label}_{now:%Y%m%d}") + ("" if several else f".{fmt}")))
    try:
        if fmt == "xlsx":
            write_xlsx(tables, target)
            written = [target]
        elif not several:
            written = [write_csv(tables[0], target)]
        else:
            target.mkdir()
            names: set[str] = set()
            written = [write_csv(table, target / f"{unique(_file_name(table.title), names)}.csv") for table in tables]
    except OSError:
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
        raise Refused("exports.folder_unwritable", folder=folder) from None
    with write():
        audit.record(
            actor,
            "export",
            f"report {report}",
            now,
            report=report,
            format=fmt,
            folder=str(folder),
            files=[str(p.relative_to(folder)) for p in written],
            rows=sum(len(table.rows) for table in tables),
            **described,
        )
    return written


def folders(settings: SimpleNamespace, media: tuple[str, ...] = MEDIA) -> list[Path]:
    """Where staff may export to: the export folder (made if missing), then each mounted
    removable medium that can be written.  The export folder is offered even when it cannot be
    made, so that exporting there says why it fails."""
    home = Path(settings.staff.export_dir)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        log.warning("export folder %s cannot be made: %s", home, e)
    found = [home]
    for pattern in media:
        for path in sorted(map(Path, glob.glob(pattern))):
            if path.is_dir() and os.access(path, os.W_OK | os.X_OK) and path not in found:
                found.append(path)
    return found


@dataclass(frozen=True)
class Outlet:
    kind: str  # "printer" (the sheet kept in the export folder) or "usb" (saved to a stick)
    folder: Path


def card_outlet(settings: SimpleNamespace, media: tuple[str, ...] = MEDIA) -> Outlet | None:
    """Where a member's card goes from the touch screen: to the printer when one is set up, else
    onto a USB stick to print at a computer; None when there is neither, so staff are told what to
    plug in rather than given a file on the kiosk they cannot reach."""
    found = folders(settings, media)
    if settings.staff.print_command:
        return Outlet("printer", found[0])
    return Outlet("usb", found[1]) if len(found) > 1 else None


def _report(report: str, now: datetime, p: dict) -> tuple[str, list[Table], dict]:
    """The file name's words, the tables, and what the audit entry says was exported."""
    if report == "attendance":
        term = _row(Term, p["term_id"])
        return t("exports.name.attendance", term=term.name), reports.term_attendance(term), {"term": term.name}
    if report == "course":
        course = _row(Course, p["course_id"])
        return (
            t("exports.name.course", course=course.name),
            [reports.course_attendance(course)],
            {"course": course.name, "course_id": course.id},
        )
    if report == "member":
        member, term = get_by(Member, "member_no", p["member_no"]), _row(Term, p["term_id"])
        if member is None:
            raise Refused("exports.unknown_member", member_no=p["member_no"])
        return (
            t("exports.name.member", name=member.name, member_no=member.member_no, term=term.name),
            [reports.member_attendance(member, term)],
            {"member_no": member.member_no, "term": term.name},
        )
    if report == "day":
        day: date = p["day"]
        return t("exports.name.day", day=day.isoformat()), [reports.day_attendance(day)], {"day": day.isoformat()}
    if report == "care":
        missed, weeks = p["missed_in_row"], p["absent_weeks"]
        return (
            t("exports.name.care"),
            [reports.care_list(now, missed, weeks)],
            {"missed_in_row": missed, "absent_weeks": weeks},
        )
    start, end = p["start"], p["end"]
    make = reports.activity_signups if report == "activities" else reports.points_report
    return (
        t(f"exports.name.{report}", start=start.isoformat(), end=end.isoformat()),
        [make(start, end)],
        {"start": start.isoformat(), "end": end.isoformat()},
    )


def _row(model, row_id: int):
    row = model.get_or_none(model.id == row_id)
    if row is None:
        raise Refused("exports.gone")
    return row


def _file_name(text: str) -> str:
    return _FILE_BAD.sub("_", text).strip(" .") or "export"
