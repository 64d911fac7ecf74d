"""Excel templates for 从U盘导入: a course list and a roster, each with the importer's own column
headers, one example row and a sheet that says how to fill in each column.  Staff fill one in on an
office PC and bring it back on the USB stick; nobody types Chinese on the kiosk (docs/senior-ui.md
I-5).  The note sheet names the columns in 「」, so the importer never takes it for a table."""

from datetime import datetime
from pathlib import Path

from contract.cells import write_xlsx
from kiosk.desk.imports.courses import COURSE_COLUMNS
from kiosk.desk.imports.members import MEMBER_COLUMNS
from kiosk.desk.reports import Table
from kiosk.files import free_path
from kiosk.i18n import t
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.db import write

# The fields each template has, in the order of its columns: the importer's first name of each.
FIELDS = {
    "courses": ("name", "teacher", "room", "capacity", "schedule", "term", "category"),
    "members": ("member_no", "name", "gender", "birth_date", "phone", "id_number", "nation", "address", "courses"),
}
KINDS = tuple(FIELDS)
_COLUMNS = {"courses": COURSE_COLUMNS, "members": MEMBER_COLUMNS}


def template(kind: str, term: str = "") -> list[Table]:
    """The template's two sheets: the header with one example row, then what each column takes.
    `term`, the term the example row names (a course list)."""
    columns = [_COLUMNS[kind][field][0] for field in FIELDS[kind]]
    example = [_example(kind, field, term) for field in FIELDS[kind]]
    notes = [
        [f"「{column}」", t(f"templates.{kind}.{field}.note"), t(f"templates.{kind}.{field}.required")]
        for column, field in zip(columns, FIELDS[kind])
    ]
    notes.append(["", t("templates.how"), ""])
    return [
        Table(t(f"templates.{kind}.sheet"), columns, [example]),
        Table(t("templates.note_sheet"), [t("templates.column"), t("templates.what"), t("templates.must")], notes),
    ]


def write_template(actor: Actor, kind: str, folder: str | Path, now: datetime, term: str = "") -> Path:
    """The template as an .xlsx in `folder` (a USB stick), named 「课程表模板.xlsx」 or so; an audit
    entry says who wrote it where."""
    if kind not in KINDS:
        raise Refused("templates.unknown", kind=kind)
    folder = Path(folder)
    path = free_path(folder / f"{t(f'templates.{kind}.file')}.xlsx")
    try:
        write_xlsx(template(kind, term), path)
    except OSError:
        path.unlink(missing_ok=True)
        raise Refused("exports.folder_unwritable", folder=folder) from None
    with write():
        audit.record(actor, "template", f"file {path.name}", now, kind=kind, folder=str(folder))
    return path


def _example(kind: str, field: str, term: str) -> str:
    if kind == "courses" and field == "term":
        return term
    return t(f"templates.{kind}.{field}.example")
