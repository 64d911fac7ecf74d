"""报表导出: a report, its term, course, day or period, the format and the folder (the kiosk's
export folder or a USB stick), each picked from a list; then the files written.  Also sheets of
QR member cards for a course or for everyone.  Importing from a USB stick is its own page
(screens/staff/imports.py)."""

from datetime import date, datetime, timedelta
from pathlib import Path

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.desk import exports
from kiosk.i18n import t
from kiosk.people import members
from kiosk.programme import terms
from kiosk.staff.refused import Refused
from screens import kv
from screens.staff.frame import FieldRow, Pick, StaffBody, StaffScreen
from screens.staff.lines import LinesPane  # noqa: F401  (the .kv lays one out)

DAYS_BACK = 14
SPANS = ("this_month", "last_month", "this_term", "this_year")


class StaffExportsScreen(StaffScreen):
    report = StringProperty("attendance")
    member = ObjectProperty(None, allownone=True)  # for 单个学员: the senior whose card was read

    def refresh(self) -> None:
        self.title = t("staff.exports.title")
        today = datetime.now().date()
        self.terms = terms.terms(self.app.settings.site.code)
        current = terms.current_term(self.app.settings.site.code, today)
        self.term = current or (self.terms[-1] if self.terms else None)
        self.course = None
        self.day = today
        self.span = SPANS[0]
        self.fmt = "xlsx"
        self.folders = exports.folders(self.app.settings)
        self.folder = self.folders[0]
        self.show_reports()
        self.show_params()
        self.body.ids.lines.clear()

    # -- what to export -----------------------------------------------------------------------

    def show_reports(self) -> None:
        box = self.body.ids.reports
        box.clear_widgets()
        for report in exports.REPORTS:
            box.add_widget(
                ChoiceRow(
                    text=t(f"staff.exports.report.{report}"),
                    value=report,
                    chosen=report == self.report,
                    on_release=lambda r: self.choose(r.value),
                )
            )

    def choose(self, report: str) -> None:
        self.report = report
        self.show_reports()
        self.show_params()
        if report == "member" and self.member is None:
            self.tell(t("staff.exports.member_card"))

    def show_params(self) -> None:
        box = self.body.ids.params
        box.clear_widgets()
        for name, value, change in self.params():
            row = FieldRow(label=t(f"staff.exports.param.{name}"), value=value, changeable=change is not None)
            row.ids.change.bind(on_release=lambda b, c=change: c())
            box.add_widget(row)
        usb = self.folders[1:]
        self.body.ids.usb.text = t("staff.exports.usb_found", count=len(usb)) if usb else t("staff.exports.no_usb")
        self.body.ids.usb.bold = not usb

    def params(self) -> list[tuple[str, str, object]]:
        """(name, what is chosen, how to change it) for the chosen report, format and folder."""
        term = ("term", self.term.name if self.term else t("staff.exports.no_terms"), self.ask_term)
        if self.report == "attendance":
            found = [term]
        elif self.report == "course":
            chosen = self.course.name if self.course else t("staff.exports.choose")
            found = [("course", chosen, self.ask_course)]
        elif self.report == "member":
            found = [
                (
                    "member",
                    t("staff.exports.member_is", name=self.member.name, no=self.member.member_no)
                    if self.member
                    else t("staff.exports.member_card"),
                    None,
                ),
                term,
            ]
        elif self.report == "day":
            found = [("day", _day_label(self.day), self.ask_day)]
        elif self.report == "care":
            staff = self.app.settings.staff
            found = [
                (
                    "care",
                    t("staff.exports.care_rule", missed=staff.care_missed_in_row, weeks=staff.care_absent_weeks),
                    None,
                )
            ]
        else:
            found = [("span", self._span_label(), self.ask_span)]
        return found + [
            ("format", t(f"staff.exports.format.{self.fmt}"), self.ask_format),
            ("folder", self._folder_label(self.folder), self.ask_folder),
        ]

    def ask_term(self) -> None:
        if not self.terms:
            self.tell(t("staff.exports.no_terms"), problem=True)
            return
        Pick().ask(
            t("staff.exports.term_what"),
            [(x.name, x.id) for x in reversed(self.terms)],
            lambda term_id: self._set(term=next(x for x in self.terms if x.id == term_id)),
        )

    def ask_course(self) -> None:
        current = terms.current_term(self.app.settings.site.code, datetime.now().date())
        if current is None:
            self.tell(t("staff.exports.no_current_term"), problem=True)
            return
        Pick().ask(
            t("staff.exports.course_what", term=current.name),
            [(t("staff.exports.course_count", name=c.name, count=c.enrolled), c.id) for c in terms.courses(current.id)],
            lambda course_id: self._set(course=terms.course_view(course_id)),
        )

    def ask_day(self) -> None:
        today = datetime.now().date()
        days = [today - timedelta(days=n) for n in range(DAYS_BACK)]
        Pick().ask(t("staff.exports.day_what"), [(_day_label(d), d) for d in days], lambda day: self._set(day=day))

    def ask_span(self) -> None:
        Pick().ask(
            t("staff.exports.span_what"), [(self._span_label(s), s) for s in SPANS], lambda span: self._set(span=span)
        )

    def ask_format(self) -> None:
        Pick().ask(
            t("staff.exports.format_what"),
            [(t(f"staff.exports.format.{f}"), f) for f in exports.FORMATS],
            lambda fmt: self._set(fmt=fmt),
        )

    def ask_folder(self) -> None:
        """The folders as they are now: a USB stick put in a moment ago is there."""
        self.folders = exports.folders(self.app.settings)
        if len(self.folders) == 1:
            self._set(folder=self.folders[0])
            self.tell(t("staff.exports.no_usb"), problem=True)
            return
        Pick().ask(
            t("staff.exports.folder_what"),
            [(self._folder_label(f), f) for f in self.folders],
            lambda folder: self._set(folder=folder),
        )

    def _set(self, **chosen) -> None:
        for name, value in chosen.items():
            setattr(self, name, value)
        self.show_params()

    def offer(self, visit):
        """A member's card read here: staff may choose them for 单个学员 (the senior is signed in
        all the same, the card may be theirs in the queue)."""
        if visit.senior is None:
            return None
        return t("staff.offer.export"), lambda: self.choose_member(visit.senior.member_no)

    def choose_member(self, member_no: str) -> None:
        self.member = members.profile(member_no, datetime.now())
        self.choose("member")
        self.tell(t("staff.exports.member_chosen", name=self.member.name))

    # -- doing it -----------------------------------------------------------------------------

    def export(self) -> None:
        folder = self.folder
        self.attempt(
            lambda: exports.export(
                self.app.staff.actor, self.report, self.fmt, folder, datetime.now(), **self.report_params()
            ),
            lambda written: self._exported(folder, written),
        )

    def report_params(self) -> dict:
        """The parameters exports.export takes for the chosen report; Refused when one is missing."""
        if self.report in ("attendance", "member") and self.term is None:
            raise Refused("staff.exports.no_terms")
        if self.report == "attendance":
            return {"term_id": self.term.id}
        if self.report == "course":
            if self.course is None:
                raise Refused("staff.exports.need_course")
            return {"course_id": self.course.id}
        if self.report == "member":
            if self.member is None:
                raise Refused("staff.exports.member_card")
            return {"member_no": self.member.member_no, "term_id": self.term.id}
        if self.report == "day":
            return {"day": self.day}
        if self.report == "care":
            staff = self.app.settings.staff
            return {"missed_in_row": staff.care_missed_in_row, "absent_weeks": staff.care_absent_weeks}
        start, end = self._span(self.span)
        return {"start": start, "end": end}

    def _exported(self, folder: Path, written: list[Path]) -> None:
        self.body.ids.lines.show(
            t("exports.written", count=len(written)), [str(p.relative_to(folder)) for p in written]
        )
        self.tell(t("staff.exports.exported", count=len(written), folder=self._folder_label(folder)))

    def ask_print(self) -> None:
        current = terms.current_term(self.app.settings.site.code, datetime.now().date())
        everyone = len(members.card_holders(self.app.settings.site.code))
        choices = [(t("staff.exports.print_all", count=everyone), 0)]
        if current is not None:
            choices += [
                (t("staff.exports.course_count", name=c.name, count=c.enrolled), c.id)
                for c in terms.courses(current.id)
            ]
        Pick().ask(t("staff.exports.print_who"), choices, self._print)

    def _print(self, course_id: int) -> None:
        """Cards for the course's enrolled members (0: every active member of the site)."""
        folder = self.folder
        chosen = members.card_holders(self.app.settings.site.code, course_id or None)
        actor, settings = self.app.staff.actor, self.app.settings
        self.attempt_in_background(
            lambda: members.print_cards(actor, chosen, settings, folder, datetime.now()),
            lambda done: self.tell(printed(done), problem=bool(done.error)),
            t("staff.exports.printing", count=len(chosen)),
        )

    def forget(self) -> None:
        super().forget()
        self.member = None
        ids = self.body.ids
        ids.lines.clear()
        for box in (ids.params, ids.reports):
            box.clear_widgets()

    # -- labels -------------------------------------------------------------------------------

    def _folder_label(self, folder: Path) -> str:
        if folder == self.folders[0]:
            return t("staff.exports.folder_home", path=folder)
        return t("staff.exports.folder_usb", name=folder.name, path=folder)

    def _span(self, span: str) -> tuple[date, date]:
        today = datetime.now().date()
        if span == "this_month":
            return today.replace(day=1), today
        if span == "last_month":
            end = today.replace(day=1) - timedelta(days=1)
            return end.replace(day=1), end
        if span == "this_year":
            return today.replace(month=1, day=1), today
        current = terms.current_term(self.app.settings.site.code, today)
        if current is None:
            raise Refused("staff.exports.no_current_term")
        return current.start, current.end

    def _span_label(self, span: str | None = None) -> str:
        span = span or self.span
        try:
            start, end = self._span(span)
        except Refused as e:
            return t(f"staff.exports.span.{span}") + "　" + e.message()
        return t(
            "staff.exports.span_is", name=t(f"staff.exports.span.{span}"), start=start.isoformat(), end=end.isoformat()
        )


def printed(done: members.Printed) -> str:
    """What became of a sheet of cards: printed, saved, or saved with the printer's complaint."""
    if done.error:
        return t("staff.exports.print_failed", count=done.count, path=done.path, error=done.error)
    return t(
        "staff.exports.printed" if done.printed else "staff.exports.saved",
        count=done.count,
        pages=done.pages,
        path=done.path,
    )


def _day_label(day: date) -> str:
    today = datetime.now().date()
    extra = {0: t("staff.exports.today"), 1: t("staff.exports.yesterday")}.get((today - day).days, "")
    return t("staff.exports.day_is", day=day.isoformat(), weekday=t("home.weekday")[day.weekday()], extra=extra)


class ChoiceRow(ButtonBehavior, BoxLayout):
    text = StringProperty("")
    value = StringProperty("")
    chosen = BooleanProperty(False)


class ExportsBody(StaffBody):
    pass


StaffExportsScreen.Body = ExportsBody
kv.load(__name__)
