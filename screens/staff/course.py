"""One course's page (课程): its lessons — 停课, 恢复, 调课 — and its roster with the waitlist in
order and 退课; the capacity, the weekly times, 生成课次 and a copy as a new class.  Opened from
学期与课程 (screens/staff/courses.py); every choice is picked (docs/senior-ui.md I-5)."""

from datetime import date, datetime

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.programme import enrollments, terms
from kiosk.programme.schedule import format_slots
from screens import kv
from screens.staff.courses import (
    CAPACITIES,
    CoursePages,
    DatePick,
    GridPick,
    ask_new_class,
    ask_slot,
    ask_span,
    day_text,
    weekday_text,
    when_text,
)
from screens.staff.frame import Pick, StaffBody
from screens.staff.member import WITHDRAW_REASONS

ROWS_PER_PAGE = 8
REASONS = ("teacher_leave", "room_taken", "weather", "holiday_shift", "other")


class StaffCourseScreen(CoursePages):
    course_id = NumericProperty(0)
    view = StringProperty("lessons")  # the list shown: "lessons" or "roster"
    course: terms.CourseView | None = None
    lessons: list = []
    roster: list = []
    _to_next = False  # the lessons open at the page of the next one

    def open_course(self, course_id: int) -> None:
        """Show the course, its lessons from the next one on."""
        self.course_id, self.view = course_id, "lessons"
        self._to_next = True
        self.app.staff.open(self.name)

    def refresh(self) -> None:
        self.back_to = "staff_courses"
        self.course = summary = terms.course_view(self.course_id)
        if self.course is None:
            self.title = t("staff.courses.course")
            return
        self.title = t("staff.courses.course_title", name=self.course.name)
        self.lessons = terms.lessons(self.course_id)
        self.roster = enrollments.roster(self.course_id)
        ids = self.body.ids
        ids.info.text = t(
            "staff.courses.course_info",
            teacher=summary.teacher or "-",
            room=summary.room or "-",
            when=t("staff.courses.weekly", slots=summary.slots) if summary.slots else t("staff.courses.no_weekly"),
            places=(
                t("staff.courses.course_places", enrolled=summary.enrolled, capacity=summary.capacity)
                if summary.capacity
                else t("staff.courses.course_places_open", enrolled=summary.enrolled)
            ),
            waitlisted=t("staff.courses.course_waitlisted", count=summary.waitlisted),
            lessons=summary.lessons,
        )
        ids.lessons_tab.text = t("staff.courses.lessons_tab", count=len(self.lessons))
        ids.roster_tab.text = t("staff.courses.roster_tab", enrolled=summary.enrolled, waitlisted=summary.waitlisted)
        if self._to_next:
            ids.pager.page, self._to_next = self._next_page(), False
        self.show_rows()
        if not self.is_admin():
            self.tell(t("staff.courses.read_only"))

    def show(self, view: str) -> None:
        self.view = view
        self.body.ids.pager.page = self._next_page() if view == "lessons" else 0
        self.show_rows()

    def _next_page(self) -> int:
        """The page of the lessons with the next one to begin (the last page when none will)."""
        now = datetime.now()
        upcoming = next((i for i, x in enumerate(self.lessons) if x.start >= now), len(self.lessons) - 1)
        return max(0, upcoming) // ROWS_PER_PAGE

    def show_rows(self) -> None:
        rows = self.body.ids.rows
        rows.clear_widgets()
        if self.course is None:
            return
        listed = self.lessons if self.view == "lessons" else self.roster
        for item in self.body.ids.pager.slice(listed, ROWS_PER_PAGE):
            rows.add_widget(self._lesson_row(item) if self.view == "lessons" else self._roster_row(item))
        self.body.ids.empty.text = (
            ""
            if listed
            else t("staff.courses.lessons_none")
            if self.view == "lessons"
            else t("staff.courses.roster_none")
        )

    def _lesson_row(self, lesson) -> "CourseLessonRow":
        row = CourseLessonRow(lesson=lesson)
        row.ids.toggle.bind(on_release=lambda b: self.restore(lesson) if lesson.cancelled else self.ask_cancel(lesson))
        row.ids.move.bind(on_release=lambda b: self.ask_move(lesson))
        return row

    def _roster_row(self, person) -> "CourseRosterRow":
        row = CourseRosterRow(person=person)
        row.ids.withdraw.bind(on_release=lambda b: self.ask_withdraw(person))
        return row

    # -- lessons ------------------------------------------------------------------------------

    def ask_cancel(self, lesson) -> None:
        self.admin(
            lambda: Pick().ask(
                t("staff.courses.cancel_why", when=when_text(lesson.start)),
                [(t(f"staff.courses.reason.{r}"), r) for r in REASONS],
                lambda r: self._cancel(lesson, t(f"staff.courses.reason.{r}")),
            )
        )

    def _cancel(self, lesson, reason: str) -> None:
        self.do(
            lambda: terms.cancel_lesson(self.app.staff.actor, lesson.id, reason, datetime.now()),
            lambda _: t("staff.courses.cancelled_done", when=when_text(lesson.start), reason=reason),
        )

    def restore(self, lesson) -> None:
        self.do(
            lambda: terms.restore_lesson(self.app.staff.actor, lesson.id, datetime.now()),
            lambda _: t("staff.courses.restored", when=when_text(lesson.start)),
        )

    def ask_move(self, lesson) -> None:
        """调课: the day, the hours, why; the core says no to a holiday, a day outside the term, a
        time gone by or taken."""
        self.admin(
            lambda: DatePick().ask(
                t("staff.courses.move_day_what", when=when_text(lesson.start)),
                lesson.start.date(),
                lambda day: ask_span(
                    lambda start, end: Pick().ask(
                        t("staff.courses.move_why"),
                        [(t(f"staff.courses.reason.{r}"), r) for r in REASONS],
                        lambda r: self._move(lesson, _at(day, start), _at(day, end), t(f"staff.courses.reason.{r}")),
                    )
                ),
            )
        )

    def _move(self, lesson, start: datetime, end: datetime, reason: str) -> None:
        self.do(
            lambda: terms.move_lesson(self.app.staff.actor, lesson.id, start, end, datetime.now(), reason),
            lambda _: t("staff.courses.moved", before=when_text(lesson.start), after=when_text(start)),
        )

    # -- the course ---------------------------------------------------------------------------

    def ask_capacity(self) -> None:
        none = t("staff.courses.no_limit")
        self.admin(
            lambda: GridPick().ask(
                t("staff.courses.capacity_what", capacity=self.course.capacity or none),
                [(none, 0)] + [(str(n), n) for n in CAPACITIES],
                self._capacity,
            )
        )

    def _capacity(self, capacity: int) -> None:
        self.do(
            lambda: terms.edit_course(self.app.staff.actor, self.course_id, datetime.now(), capacity=capacity),
            lambda _: t("staff.courses.capacity_set", capacity=capacity or t("staff.courses.no_limit")),
        )

    def ask_schedule(self) -> None:
        slots = list(self.course.schedule)
        choices = (
            [(t("staff.courses.schedule_change", slot=format_slots([s])), ("change", i)) for i, s in enumerate(slots)]
            + [(t("staff.courses.schedule_add"), ("add", len(slots)))]
            + [
                (t("staff.courses.schedule_drop", slot=format_slots([s])), ("drop", i))
                for i, s in enumerate(slots)
                if len(slots) > 1
            ]
        )
        self.admin(
            lambda: Pick().ask(
                t("staff.courses.schedule_which", slots=format_slots(slots)),
                choices,
                lambda what: self._schedule(slots, *what),
            )
        )

    def _schedule(self, slots: list[dict], how: str, i: int) -> None:
        if how == "drop":
            self._set_slots(slots[:i] + slots[i + 1 :])
        else:
            ask_slot(
                t("staff.courses.schedule_weekday_what"),
                lambda slot: self._set_slots(slots[:i] + [slot] + slots[i + 1 :]),
            )

    def _set_slots(self, slots: list[dict]) -> None:
        slots = sorted(slots, key=lambda s: (s["weekday"], s["start"]))
        self.do(
            lambda: terms.edit_course(self.app.staff.actor, self.course_id, datetime.now(), slots=slots),
            lambda _: t("staff.courses.schedule_set", slots=format_slots(slots)),
        )

    def generate(self) -> None:
        self.do(
            lambda: terms.generate_lessons(self.app.staff.actor, self.course_id, datetime.now()),
            lambda n: t("staff.courses.generated", count=n) if n else t("staff.courses.generated_none"),
        )

    def ask_copy(self) -> None:
        self.admin(lambda: ask_new_class(self, self.course))

    # -- the roster ---------------------------------------------------------------------------

    def ask_withdraw(self, person) -> None:
        Pick().ask(
            t("staff.courses.withdraw_why", name=person.name, course=self.course.name),
            [(t(f"staff.member.withdraw_reason.{r}"), r) for r in WITHDRAW_REASONS],
            lambda r: self._withdraw(person, t(f"staff.member.withdraw_reason.{r}")),
        )

    def _withdraw(self, person, reason: str) -> None:
        course = self.course

        def said(change) -> str:
            if not change.promoted:
                return t("staff.courses.withdrawn", name=person.name, course=course.name)
            promoted = next(r.name for r in self.roster if r.member_no == change.promoted)
            return t("staff.courses.withdrawn_promoted", name=person.name, course=course.name, promoted=promoted)

        self.do(
            lambda: enrollments.withdraw(self.app.staff.actor, person.member_no, course.id, reason, datetime.now()),
            said,
        )

    def forget(self) -> None:
        super().forget()
        self.course_id, self.view = 0, "lessons"
        self.course, self.lessons, self.roster = None, [], []
        ids = self.body.ids
        ids.rows.clear_widgets()
        for label in (ids.info, ids.lessons_tab, ids.roster_tab, ids.empty):
            label.text = ""


def _at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time())


class CourseLessonRow(BoxLayout):
    lesson = ObjectProperty(None)
    day = StringProperty("")
    span = StringProperty("")
    past = BooleanProperty(False)  # begun: no 停课, 恢复 or 调课 any more (terms.begun)
    fixed = BooleanProperty(False)  # begun, or somebody signed in: nothing to change

    def on_lesson(self, _row, x) -> None:
        self.day = f"{day_text(x.start)} {weekday_text(x.start)}"
        self.span = t("staff.courses.time_span", start=f"{x.start:%H:%M}", end=f"{x.end:%H:%M}")
        self.past = terms.begun(x, datetime.now())
        self.fixed = self.past or bool(x.signed)


class CourseRosterRow(BoxLayout):
    person = ObjectProperty(None)
    status = StringProperty("")
    since = StringProperty("")

    def on_person(self, _row, p) -> None:
        self.status = (
            t("staff.courses.enrolled")
            if p.status == "enrolled"
            else t("staff.courses.waitlisted", position=p.position)
        )
        self.since = t("staff.courses.since", day=day_text(p.enrolled_at)) if p.enrolled_at else ""


class CourseBody(StaffBody):
    pass


StaffCourseScreen.Body = CourseBody
kv.load(__name__)
