"""Terms and courses (学期与课程): the site's terms, the chosen one's holidays and its courses; a
course opens its own page (screens/staff/course.py).  Only an admin changes them; other staff
look.  Every choice — a term's name and dates, a holiday, a new class copied from a course, a
time, a room — is picked, so nothing needs Chinese typing (docs/senior-ui.md I-5): new courses
come from an Excel sheet (新建课程 writes its template to the USB stick; 从U盘导入 reads it back)."""

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from kivy.properties import ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.desk import exports, templates
from kiosk.i18n import t
from kiosk.programme import terms
from kiosk.programme.schedule import format_slots
from kiosk.staff import access
from screens import kv
from screens.staff.frame import Pick, StaffBody, StaffScreen
from screens.staff.measure import column_width

HOLIDAYS_PER_PAGE = 5
COURSES_PER_PAGE = 6
CAPACITIES = (10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 120, 150, 200)
HOLIDAY_NAMES = (
    "new_year",
    "spring_festival",
    "qingming",
    "labour_day",
    "dragon_boat",
    "mid_autumn",
    "national_day",
    "founding_day",
    "other",
)
# Where a new term's dates start on the picker: (month, day) of its first and last day; an autumn
# term ends in January of the next year.
TERM_DATES = {"spring": ((3, 1), (7, 15)), "autumn": ((9, 1), (1, 15))}
HALF_HOURS = [f"{h:02d}:{m:02d}" for h in range(7, 22) for m in (0, 30)][:-1]  # 07:00 to 21:00
_CLASS = re.compile(r"(（[^（）]*）)?班$")  # 「太极拳（一）班」, 「国画花鸟班」: the class part


class CoursePages(StaffScreen):
    """What the terms page and a course's page share: changes only for an admin, said when done."""

    def admin(self, then: Callable[[], None]) -> None:
        """`then` (the first question of a change) for an admin; for other staff the core's refusal."""
        self.attempt(lambda: access.require(self.app.staff.actor, "admin"), lambda _: then())

    def do(self, action: Callable, said: Callable) -> None:
        """Run a change; when it went through, show the page again and say what was done."""
        outcome = []
        if self.attempt(action, outcome.append):
            self.refresh()
            self.tell(said(outcome[0]))

    def is_admin(self) -> bool:
        return self.app.staff.is_admin


class StaffCoursesScreen(CoursePages):
    term_id = NumericProperty(0)  # the term shown; 0 = the current one
    term: terms.TermView | None = None
    all_terms: list[terms.TermView] = []

    def refresh(self) -> None:
        self.title = t("staff.courses.title")
        site = self.app.settings.site.code
        self.all_terms = terms.terms(site)
        self.term = (
            next((x for x in self.all_terms if x.id == self.term_id), None)
            or terms.current_term(site, date.today())
            or (self.all_terms[-1] if self.all_terms else None)
        )
        self.term_id = self.term.id if self.term else 0
        self.show_term()
        self.show_holidays()
        self.show_courses()
        if not self.is_admin():
            self.tell(t("staff.courses.read_only"))

    def show_term(self) -> None:
        ids, term = self.body.ids, self.term
        ids.term_name.text = term.name if term else t("staff.courses.no_term")
        ids.term_dates.text = (
            t(
                "staff.courses.term_dates",
                start=day_text(term.start),
                end=day_text(term.end),
                weeks=-(-((term.end - term.start).days + 1) // 7),
            )
            if term
            else ""
        )

    def show_holidays(self) -> None:
        rows = self.body.ids.holidays
        rows.clear_widgets()
        listed = terms.holidays(self.term.id) if self.term else []
        self.body.ids.holidays_title.text = t("staff.courses.holidays", count=len(listed)) if self.term else ""
        for holiday in self.body.ids.holiday_pager.slice(listed, HOLIDAYS_PER_PAGE):
            row = TermHolidayRow(
                text=t(
                    "staff.courses.holiday_row",
                    day=day_text(holiday.day),
                    weekday=weekday_text(holiday.day),
                    name=holiday.name,
                )
            )
            row.ids.drop.bind(on_release=lambda b, h=holiday: self.ask_remove_holiday(h))
            rows.add_widget(row)

    def show_courses(self) -> None:
        rows = self.body.ids.courses
        rows.clear_widgets()
        listed = terms.courses(self.term.id) if self.term else []
        self.body.ids.courses_title.text = (
            t("staff.courses.courses", count=len(listed))
            if listed
            else t("staff.courses.courses_none")
            if self.term
            else ""
        )
        shown = self.body.ids.course_pager.slice(listed, COURSES_PER_PAGE)
        mm = self.app.theme.mm
        teacher_w = column_width([c.teacher for c in shown], mm(20), mm(60))
        room_w = column_width([c.room for c in shown], mm(30), mm(80))
        for course in shown:
            row = TermCourseRow(course=course, teacher_w=teacher_w, room_w=room_w)
            row.bind(on_release=lambda r: self.open_course(r.course.id))
            rows.add_widget(row)

    def open_course(self, course_id: int) -> None:
        self.app.staff.screens["staff_course"].open_course(course_id)

    # -- terms --------------------------------------------------------------------------------

    def ask_term(self) -> None:
        Pick().ask(
            t("staff.courses.term_which"),
            [
                (t("staff.courses.term_choice", name=x.name, start=day_text(x.start), end=day_text(x.end)), x.id)
                for x in reversed(self.all_terms)
            ],
            self.choose_term,
        )

    def choose_term(self, term_id: int) -> None:
        self.term_id = term_id
        self.tell("")
        self.body.ids.holiday_pager.page = self.body.ids.course_pager.page = 0
        self.refresh()

    def ask_new_term(self) -> None:
        self.admin(self._ask_term_name)

    def _ask_term_name(self) -> None:
        taken = {x.name for x in self.all_terms}
        year = date.today().year
        choices = [
            (name, (name, y, season))
            for y in (year, year + 1)
            for season in TERM_DATES
            if (name := t("staff.courses.term_name", year=y, season=t(f"staff.courses.season.{season}"))) not in taken
        ]
        if not choices:
            self.tell(t("staff.courses.term_names_taken"), problem=True)
            return
        Pick().ask(t("staff.courses.term_name_what"), choices, lambda c: self._ask_term_dates(*c))

    def _ask_term_dates(self, name: str, year: int, season: str) -> None:
        (m1, d1), (m2, d2) = TERM_DATES[season]
        first, last = date(year, m1, d1), date(year + (m2 < m1), m2, d2)
        DatePick().ask(
            t("staff.courses.term_start_what", name=name),
            first,
            lambda start: DatePick().ask(
                t("staff.courses.term_end_what", name=name, start=day_text(start)),
                max(last, start),
                lambda end: self._create_term(name, start, end),
            ),
        )

    def _create_term(self, name: str, start: date, end: date) -> None:
        def created(term) -> None:
            self.choose_term(term.id)
            self.tell(t("staff.courses.term_created", name=name, start=day_text(start), end=day_text(end)))

        self.attempt(lambda: terms.create_term(self.app.staff.actor, name, start, end, datetime.now()), created)

    # -- holidays -----------------------------------------------------------------------------

    def ask_holiday(self) -> None:
        if self.term is None:
            self.tell(t("staff.courses.no_term"), problem=True)
            return
        term = self.term
        self.admin(
            lambda: DatePick().ask(
                t("staff.courses.holiday_day_what", start=day_text(term.start), end=day_text(term.end)),
                min(max(date.today(), term.start), term.end),
                lambda day: Pick().ask(
                    t("staff.courses.holiday_name_what", day=day_text(day)),
                    [(t(f"staff.courses.holiday.{k}"), k) for k in HOLIDAY_NAMES],
                    lambda key: self._add_holiday(term, day, t(f"staff.courses.holiday.{key}")),
                ),
            )
        )

    def _add_holiday(self, term, day: date, name: str) -> None:
        self.do(
            lambda: terms.add_holiday(self.app.staff.actor, term.id, day, name, datetime.now()),
            lambda _: t("staff.courses.holiday_added", day=day_text(day), name=name),
        )

    def ask_remove_holiday(self, holiday: terms.HolidayView) -> None:
        day = day_text(holiday.day)
        self.admin(
            lambda: Pick().ask(
                t("staff.courses.holiday_remove_what", day=day, name=holiday.name),
                [(t("staff.courses.holiday_remove_yes"), holiday)],
                lambda h: self.do(
                    lambda: terms.remove_holiday(self.app.staff.actor, h.id, datetime.now()),
                    lambda n: t("staff.courses.holiday_removed", day=day, name=h.name, count=n),
                ),
            )
        )

    # -- new courses --------------------------------------------------------------------------

    def ask_new_course(self) -> None:
        """Names are typed in Excel, not here: the template to fill in, the way to bring it back
        (从U盘导入), or a copy of a course as a new class."""
        ways: dict[str, Callable[[], None]] = {
            "template_courses": lambda: self.write_template("courses"),
            "template_members": lambda: self.write_template("members"),
            "import": lambda: self.app.staff.open("staff_imports"),
            "copy": self.ask_copy,
        }
        Pick().ask(
            t("staff.courses.course_new_how"),
            [(t(f"staff.courses.new_way.{way}"), way) for way in ways],
            lambda way: ways[way](),
        )

    def write_template(self, kind: str) -> None:
        """The Excel template onto the USB stick (asked which, when there are several)."""
        sticks = exports.folders(self.app.settings)[1:]
        if not sticks:
            self.tell(t("staff.courses.template_no_usb"), problem=True)
        elif len(sticks) == 1:
            self._write_template(kind, sticks[0])
        else:
            Pick().ask(
                t("staff.courses.template_where"),
                [(t("staff.exports.folder_usb", name=f.name, path=f), f) for f in sticks],
                lambda folder: self._write_template(kind, folder),
            )

    def _write_template(self, kind: str, folder: Path) -> None:
        term = self.term.name if self.term else ""
        self.attempt(
            lambda: templates.write_template(self.app.staff.actor, kind, folder, datetime.now(), term=term),
            lambda path: self.tell(t("staff.courses.template_written", file=path.name, usb=folder.name)),
        )

    def ask_copy(self) -> None:
        if self.term is None:
            self.tell(t("staff.courses.no_term"), problem=True)
            return
        term = self.term
        choices = [
            (t("staff.courses.copy_choice", name=c.name, teacher=c.teacher or "-"), c.id)
            for c in terms.courses(term.id)
        ]
        self.admin(
            lambda: Pick().ask(
                t("staff.courses.copy_which"),
                choices,
                lambda course_id: ask_new_class(self, terms.course_view(course_id)),
            )
        )

    def forget(self) -> None:
        super().forget()
        self.term_id = 0
        self.term, self.all_terms = None, []
        ids = self.body.ids
        for box in (ids.holidays, ids.courses):
            box.clear_widgets()
        for label in (ids.term_name, ids.term_dates, ids.holidays_title, ids.courses_title):
            label.text = ""


# -- questions both pages ask ---------------------------------------------------------------------


def ask_new_class(screen: CoursePages, course: terms.CourseView) -> None:
    """A new class of `course` in its term, the same teacher and points category: the next free
    class name (「太极拳（三）班」), its weekdays and hours, a room — each room said free or taken
    at those times before it is chosen — and its capacity."""
    taken = {c.name for c in terms.courses(course.term_id)}
    base = _CLASS.sub("", course.name) or course.name
    names = [
        name
        for number in t("staff.courses.class_numbers")
        if (name := t("staff.courses.class_name", base=base, number=number)) not in taken
    ]
    if not names:
        screen.tell(t("staff.courses.copy_names_taken", name=base), problem=True)
        return
    NewClass(screen, course).ask_name(names)


class NewClass:
    """The questions of 复制开新班, one after the other; a room taken at the chosen times sends
    staff back to another room or other times, never to the beginning."""

    def __init__(self, screen: CoursePages, course: terms.CourseView):
        self.screen, self.course = screen, course
        self.name, self.slots, self.room = "", [], course.room

    def ask_name(self, names: list[str]) -> None:
        c = self.course
        Pick().ask(
            t(
                "staff.courses.copy_name_what",
                teacher=c.teacher or "-",
                room=c.room or "-",
                capacity=c.capacity or t("staff.courses.no_limit"),
            ),
            [(name, name) for name in names],
            self._named,
        )

    def _named(self, name: str) -> None:
        self.name = name
        self.ask_times()

    def ask_times(self) -> None:
        WeekdaysPick().ask(
            t("staff.courses.copy_weekday_what", name=self.name),
            sorted({s["weekday"] for s in self.course.schedule}),
            lambda days: ask_span(
                lambda start, end: self._timed([{"weekday": d, "start": start, "end": end} for d in days])
            ),
        )

    def _timed(self, slots: list[dict]) -> None:
        self.slots = slots
        self.ask_room()

    def ask_room(self) -> None:
        """Every room the site uses (the copied course's first), each said free or taken then."""
        known = terms.rooms(self.screen.app.settings.site.code)
        rooms = ([self.course.room] if self.course.room else []) + [r for r in known if r != self.course.room]
        if not rooms:  # no course of the site has a room yet: nothing to choose or clash with
            self._roomed("", [])
            return
        clashes = {room: terms.room_clashes(self.course.term_id, room, self.slots) for room in rooms}
        Pick().ask(
            t("staff.courses.copy_room_what", name=self.name, slots=format_slots(self.slots)),
            [(_room_choice(room, clashes[room]), room) for room in rooms]
            + [(t("staff.courses.copy_other_times"), None)],
            lambda room: self.ask_times() if room is None else self._roomed(room, clashes[room]),
        )

    def _roomed(self, room: str, clashes: list[terms.RoomClash]) -> None:
        if not clashes:
            self.room = room
            self.ask_capacity()
            return
        Pick().ask(
            t("staff.courses.copy_clash", room=room, clashes=_clash_text(clashes)),
            [
                (t("staff.courses.copy_other_room"), self.ask_room),
                (t("staff.courses.copy_other_times"), self.ask_times),
            ],
            lambda then: then(),
        )

    def ask_capacity(self) -> None:
        none = t("staff.courses.no_limit")
        GridPick().ask(
            t("staff.courses.copy_capacity_what", name=self.name, capacity=self.course.capacity or none),
            [(none, 0)] + [(str(n), n) for n in CAPACITIES],
            self.create,
        )

    def create(self, capacity: int) -> None:
        c, name, slots, room = self.course, self.name, self.slots, self.room
        self.screen.do(
            lambda: terms.create_course(
                self.screen.app.staff.actor,
                c.term_id,
                name,
                slots,
                datetime.now(),
                teacher=c.teacher,
                room=room,
                capacity=capacity,
                category=c.category,
            ),
            lambda new: t(
                "staff.courses.copied",
                name=name,
                slots=format_slots(slots),
                room=room or t("staff.courses.no_room"),
                count=new.lessons,
            ),
        )


def _room_choice(room: str, clashes: list[terms.RoomClash]) -> str:
    if not clashes:
        return t("staff.courses.room_free", room=room)
    return t("staff.courses.room_taken", room=room, clashes=_clash_text(clashes))


def _clash_text(clashes: list[terms.RoomClash]) -> str:
    """「周三 09:00-11:00 智能手机应用班」, for each wanted time the room is taken."""
    return "、".join(t("staff.courses.clash", slot=format_slots([x.slot]), course=x.course) for x in clashes)


def ask_slot(question: str, on_slot: Callable[[dict], None]) -> None:
    """A weekly time: the weekday, then the hours."""
    Pick().ask(
        question,
        [(t(f"staff.courses.weekday.{n}"), n) for n in range(1, 8)],
        lambda weekday: ask_span(lambda start, end: on_slot({"weekday": weekday, "start": start, "end": end})),
    )


def ask_span(on_span: Callable[[str, str], None]) -> None:
    """From and to which half hour."""
    GridPick().ask(
        t("staff.courses.start_what"),
        [(h, h) for h in HALF_HOURS[:-1]],
        lambda start: GridPick().ask(
            t("staff.courses.end_what", start=start),
            [(h, h) for h in HALF_HOURS if h > start][:12],
            lambda end: on_span(start, end),
        ),
    )


def day_text(day: date) -> str:
    return t("staff.courses.day", month=day.month, day=day.day)


def weekday_text(day: date) -> str:
    return t(f"staff.courses.weekday.{day.isoweekday()}")


def when_text(at: datetime) -> str:
    return f"{day_text(at)} {at:%H:%M}"


# -- pop-ups --------------------------------------------------------------------------------------


class WeekdaysPick(ModalView):
    """One or more weekdays, each a button that stays pressed, then 确定."""

    question = StringProperty("")
    chosen = ListProperty([])

    def ask(self, question: str, chosen: list[int], on_pick: Callable[[list[int]], None]) -> None:
        self.question, self.chosen, self.on_pick = question, list(chosen), on_pick
        self.open(animation=False)

    def toggle(self, weekday: int) -> None:
        self.chosen = sorted(set(self.chosen) ^ {weekday})

    def pick(self) -> None:
        self.dismiss(animation=False)
        self.on_pick(list(self.chosen))


class GridPick(Pick):
    """A Pick four across, for half hours and numbers."""

    PER_PAGE = 32

    def show(self) -> None:
        super().show()
        self.ids.choices.cols = 4


class DatePick(ModalView):
    """A day picked with −/+ on year, month and day (and a week at a time)."""

    question = StringProperty("")
    day = ObjectProperty(date(2000, 1, 1))
    shown = StringProperty("")
    years = StringProperty("")
    months = StringProperty("")
    days = StringProperty("")

    def ask(self, question: str, day: date, on_pick: Callable[[date], None]) -> None:
        self.question, self.day, self.on_pick = question, day, on_pick
        self.open(animation=False)

    def on_day(self, _pick, day: date) -> None:
        self.shown = t(
            "staff.courses.date_full", year=day.year, month=day.month, day=day.day, weekday=weekday_text(day)
        )
        self.years = t("staff.courses.years", n=day.year)
        self.months = t("staff.courses.months", n=day.month)
        self.days = t("staff.courses.days", n=day.day)

    def step(self, part: str, n: int) -> None:
        if part == "day":
            self.day += timedelta(days=n)
        else:
            months = self.day.year * 12 + self.day.month - 1 + (n * 12 if part == "year" else n)
            year, month = divmod(months, 12)
            self.day = date(year, month + 1, min(self.day.day, calendar.monthrange(year, month + 1)[1]))

    def pick(self) -> None:
        self.dismiss(animation=False)
        self.on_pick(self.day)


# -- rows -----------------------------------------------------------------------------------------


class TermHolidayRow(BoxLayout):
    text = StringProperty("")


class TermCourseRow(ButtonBehavior, BoxLayout):
    course = ObjectProperty(None)
    places = StringProperty("")
    when = StringProperty("")
    teacher_w = NumericProperty(100)  # as wide as the page's widest teacher, room
    room_w = NumericProperty(200)

    def on_course(self, _row, c) -> None:
        self.when = c.slots or t("staff.courses.no_weekly")
        self.places = "　".join(
            x
            for x in (
                t("staff.courses.course_places", enrolled=c.enrolled, capacity=c.capacity)
                if c.capacity
                else t("staff.courses.course_places_open", enrolled=c.enrolled),
                t("staff.courses.course_waitlisted", count=c.waitlisted) if c.waitlisted else "",
            )
            if x
        )


class CoursesBody(StaffBody):
    pass


StaffCoursesScreen.Body = CoursesBody
kv.load(__name__)
