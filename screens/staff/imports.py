"""从U盘导入: a roster or a course list from a USB stick (an admin's task).  The file and what it is
are picked from lists; the file is checked first and every row to fix is shown, and nothing is
written until 「确认导入」.  A roster that would change names read from ID cards lists them at the
check, and the button becomes 「确认导入并改名」: only that changes them.  The spreadsheets are
made in Excel on an office PC: nobody types here."""

from datetime import datetime
from pathlib import Path

from kivy.properties import BooleanProperty

from kiosk.desk import exports, imports
from kiosk.i18n import t
from kiosk.programme import terms
from kiosk.staff.refused import Refused
from screens import kv
from screens.staff.frame import FieldRow, Pick, StaffBody, StaffScreen
from screens.staff.lines import LinesPane  # noqa: F401  (the .kv lays one out)

IMPORTABLE = (".xlsx", ".csv")
KINDS = ("members", "courses")


class StaffImportsScreen(StaffScreen):
    pending = BooleanProperty(False)  # a checked file waits for 「确认导入」
    renaming = BooleanProperty(False)  # … and the check listed names read from ID cards it changes

    def refresh(self) -> None:
        self.title = t("staff.imports.title")
        self.folders = exports.folders(self.app.settings)
        self.folder = self.folders[-1]  # a USB stick when there is one
        self.to_import = None
        self.pending = self.renaming = False
        self.body.ids.choose.disabled = not self.app.staff.is_admin
        self.show_folder()
        self.show_note()
        if not self.app.staff.is_admin:
            self.tell(t("staff.imports.admin_only"))

    def show_folder(self) -> None:
        box = self.body.ids.folder
        box.clear_widgets()
        row = FieldRow(label=t("staff.imports.from"), value=self._folder_label(self.folder), changeable=True)
        row.ids.change.bind(on_release=lambda b: self.ask_folder())
        box.add_widget(row)
        usb = self.folders[1:]
        self.body.ids.usb.text = t("staff.exports.usb_found", count=len(usb)) if usb else t("staff.imports.no_usb")

    def ask_folder(self) -> None:
        """The folders as they are now: a USB stick put in a moment ago is there."""
        self.folders = exports.folders(self.app.settings)
        Pick().ask(t("staff.imports.folder_what"), [(self._folder_label(f), f) for f in self.folders], self._set_folder)

    def _set_folder(self, folder: Path) -> None:
        self.folder = folder
        self.show_folder()

    # -- checking, then importing -----------------------------------------------------------------

    def ask_file(self) -> None:
        self.attempt(lambda: self._importable(self.folder), self._ask_file)

    def _importable(self, folder: Path) -> list[Path]:
        """The spreadsheets in the folder (not Excel's ~$ lock files); Refused when there are none."""
        label = self._folder_label(folder)
        try:
            found = sorted(
                p
                for p in folder.iterdir()
                if p.is_file() and p.suffix.lower() in IMPORTABLE and not p.name.startswith((".", "~$"))
            )
        except OSError:
            raise Refused("staff.exports.folder_gone", folder=label) from None
        if not found:
            raise Refused("staff.exports.no_files", folder=label)
        return found

    def _ask_file(self, found: list[Path]) -> None:
        Pick().ask(
            t("staff.exports.file_what", folder=self._folder_label(self.folder)),
            [(p.name, p) for p in found],
            lambda path: Pick().ask(
                t("staff.exports.kind_what", file=path.name),
                [(t(f"staff.exports.kind.{k}"), k) for k in KINDS],
                lambda kind: self._ask_term(path, kind),
            ),
        )

    def _ask_term(self, path: Path, kind: str) -> None:
        known = terms.terms(self.app.settings.site.code)
        if kind == "courses" and known:
            Pick().ask(
                t("staff.exports.import_term_what"),
                [(x.name, x.id) for x in reversed(known)],
                lambda term_id: self._check(path, kind, term_id),
            )
        else:
            self._check(path, kind, None)

    def _check(self, path: Path, kind: str, term_id: int | None) -> None:
        """The dry run: every wrong row, or what the import would do."""
        self.to_import, self.pending, self.renaming = None, False, False
        self.attempt(
            lambda: self._run(path, kind, term_id, dry_run=True),
            lambda report: self._checked(report, (path, kind, term_id)),
        )

    def _checked(self, report: imports.ImportReport, plan: tuple) -> None:
        if self._show_report(report):
            self.to_import, self.pending, self.renaming = plan, True, bool(report.renames)
            if report.renames:
                self.tell(t("staff.imports.check_renames", count=len(report.renames)))
            else:
                self.tell(t("staff.exports.check_ok"))

    def confirm(self) -> None:
        path, kind, term_id = self.to_import
        renaming = self.renaming
        self.to_import, self.pending, self.renaming = None, False, False
        self.attempt(lambda: self._run(path, kind, term_id, dry_run=False, renaming=renaming), self._imported)

    def _imported(self, report: imports.ImportReport) -> None:
        if report.needs_confirm:  # the file changed since the check: names it did not list
            self.body.ids.lines.show(t("staff.imports.renames_new"), report.renames)
            self.tell(t("staff.imports.renames_new"), problem=True)
        elif self._show_report(report):
            self.tell(t("staff.exports.imported"))

    def _run(
        self, path: Path, kind: str, term_id: int | None, dry_run: bool, renaming: bool = False
    ) -> imports.ImportReport:
        now, actor = datetime.now(), self.app.staff.actor
        if kind == "members":
            return imports.import_members(
                actor, path, now, self.app.settings, dry_run=dry_run, overwrite_verified=renaming
            )
        return imports.import_courses(actor, path, now, term_id=term_id, dry_run=dry_run)

    def _show_report(self, report: imports.ImportReport) -> bool:
        """The rows to fix, or the counts and warnings; True when the file is clean."""
        lines = self.body.ids.lines
        if report.errors:
            lines.show(
                t("imports.rejected", file=report.file, count=len(report.errors)), [str(e) for e in report.errors]
            )
            self.tell(t("staff.exports.check_failed", count=len(report.errors)), problem=True)
            return False
        lines.show(report.summary(), report.renames + [t("imports.warning", text=w) for w in report.warnings])
        return True

    def show_note(self) -> None:
        """What a file needs, until one is checked."""
        self.body.ids.lines.show(t("staff.imports.note_title"), t("staff.imports.note").splitlines())

    def forget(self) -> None:
        super().forget()
        self.to_import, self.pending, self.renaming = None, False, False
        self.body.ids.lines.clear()
        self.body.ids.folder.clear_widgets()

    def _folder_label(self, folder: Path) -> str:
        if folder == self.folders[0]:
            return t("staff.exports.folder_home", path=folder)
        return t("staff.exports.folder_usb", name=folder.name, path=folder)


class ImportsBody(StaffBody):
    pass


StaffImportsScreen.Body = ImportsBody
kv.load(__name__)
