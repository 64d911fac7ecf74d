"""UI scenarios for 学期与课程 (docs/design.md §4.7), run by tests/screens/harness.py: an admin cancels a lesson,
tries to move one onto a holiday and copies a course into a new class on two weekdays, told that
its room is taken before choosing another; 新建课程 writes the Excel template onto a USB stick; a
plain staff member is refused.  Real taps on the real buttons and pop-ups."""

from datetime import datetime
from pathlib import Path

from kiosk.desk import exports
from kiosk.i18n import t
from kiosk.store.models import Course
from tests.screens.scenarios_service import tap
from tests.screens.scenarios_staff import ADMIN, ADMIN_PIN, CLERK, button, login_steps, on, pick, texts

CLERK_PIN = "1357"
COURSE = "国画花鸟班"  # on the first page of the demo's course list
COPIED, COPY_TO = "书法（一）班", "书法（三）班"
TAKEN_ROOM, FREE_ROOM = "二楼 201 书画室", "二楼 202 书画室"  # 书法（二）班 has 201 on Wednesday afternoons
USB = "KINGSTON"


def course_page(app):
    return app.staff.screens["staff_course"]


def popup(kind):
    from kivy.core.window import Window

    return next((w for w in Window.children if isinstance(w, kind)), None)


def open_course(app, name: str):
    """A step: a tap on the course's row in the list, then wait for the course's page."""
    courses = app.staff.screens["staff_courses"]

    def tap_row():
        row = next(r for r in courses.body.ids.courses.children if r.course.name == name)
        tap(row)
        return on(app, "staff_course")

    return tap_row


def future_rows(page) -> list:
    """The lesson rows on screen that may still be cancelled or moved, first first."""
    return [
        r
        for r in reversed(page.body.ids.rows.children)
        if r.lesson.start > datetime.now() and not r.lesson.cancelled and not r.lesson.signed
    ]


def courses_admin(app, settings, obs):
    courses = app.staff.screens["staff_courses"]
    page = course_page(app)
    chosen = {}

    def open_courses():
        tap(app.staff.screens["staff_home"].body.ids.courses)
        return on(app, "staff_courses")

    def two_to_change():
        obs["term"] = courses.body.ids.term_name.text
        obs["courses_shown"] = [r.course.name for r in reversed(courses.body.ids.courses.children)]
        if len(future_rows(page)) < 2:  # the next lesson is the last on its page
            tap(button(page.body.ids.pager, t("service.next")))

    def cancel():
        row = future_rows(page)[0]
        obs["cancelled_id"] = row.lesson.id
        tap(row.ids.toggle)

    def teacher_away():
        pick(t("staff.courses.reason.teacher_leave"))

    def move():
        obs["cancel_message"] = page.message
        obs["cancel_row"] = next(
            r.lesson.note for r in page.body.ids.rows.children if r.lesson.id == obs["cancelled_id"]
        )
        row = future_rows(page)[0]
        chosen["move"] = row.lesson
        obs["moved_id"] = row.lesson.id
        tap(row.ids.move)

    def onto_the_holiday():
        dates = popup(_date_pick())
        holiday = Course.get(Course.name == COURSE).term.holidays.first()
        obs["holiday"] = [holiday.day.isoformat(), holiday.name]
        days = (holiday.day - chosen["move"].start.date()).days
        step = dates.ids.days.ids.plus if days > 0 else dates.ids.days.ids.minus
        for _ in range(abs(days)):
            tap(step)
        obs["picked_day"] = dates.day.isoformat()
        tap(dates.ids.ok)

    def nine():
        pick("09:00")

    def eleven():
        pick("11:00")

    def room_taken():
        pick(t("staff.courses.reason.room_taken"))

    def refused():
        obs["move_message"] = page.message
        obs["move_problem"] = page.problem
        obs["message_shown"] = page.ids.message.text

    def back_to_list():
        tap(page.ids.back)
        return on(app, "staff_courses")

    def copy():
        tap(courses.body.ids.copy_course)

    def which():
        pick(t("staff.courses.copy_choice", name=COPIED, teacher="刘墨林"))

    def class_name():
        obs["copy_names"] = [b.text for b in popup(_pick()).ids.choices.children]
        pick(COPY_TO)

    def wednesday_and_saturday():
        days = popup(_weekdays_pick())
        obs["weekdays_before"] = list(days.chosen)  # the copied course's
        for n in (1, 3, 6):
            tap(button(days.ids.days, t(f"staff.courses.weekday.{n}")))
        obs["weekdays_chosen"] = list(days.chosen)
        tap(days.ids.ok)

    def two_pm():
        pick("14:00")

    def four_pm():
        pick("16:00")

    def taken_room():
        obs["room_question"] = popup(_pick()).question
        obs["room_choices"] = [b.text for b in reversed(popup(_pick()).ids.choices.children)]
        pick(next(x for x in obs["room_choices"] if x.startswith(TAKEN_ROOM)))

    def another_room():
        obs["clash_question"] = popup(_pick()).question
        pick(t("staff.courses.copy_other_room"))

    def free_room():
        pick(t("staff.courses.room_free", room=FREE_ROOM))

    def twenty():
        obs["capacity_question"] = popup(_pick()).question
        pick("20")

    def copied():
        obs["copy_message"] = courses.message

    def roster_tab():
        tap(page.body.ids.roster_tab)

    def log_out():
        obs["roster_names"] = [r.person.name for r in page.body.ids.rows.children]
        tap(page.ids.logout)
        return on(app, "home")

    def look():
        names = obs["roster_names"]
        obs["left_behind"] = [x for s in (courses, page) for x in texts(s) if any(n in x for n in names)]

    return login_steps(app, ADMIN, ADMIN_PIN) + [
        open_courses,
        open_course(app, COURSE),
        two_to_change,
        cancel,
        teacher_away,
        move,
        onto_the_holiday,
        nine,
        eleven,
        room_taken,
        refused,
        back_to_list,
        copy,
        which,
        class_name,
        wednesday_and_saturday,
        two_pm,
        four_pm,
        taken_room,
        another_room,
        free_room,
        twenty,
        copied,
        open_course(app, COURSE),
        roster_tab,
        log_out,
        look,
    ]


def new_course(app, settings, obs):
    """新建课程 says how new courses come in, with no command: its template goes onto the USB
    stick (none there first: said so), and 去从U盘导入 opens that page."""
    courses = app.staff.screens["staff_courses"]
    stick = Path(settings.kiosk.data_dir) / "media" / "staff" / USB
    every = exports.folders
    exports.folders = lambda s, media=(str(stick.parent / "*"),): every(s, media)  # the stick's mount point

    def open_courses():
        obs["courses_shown"] = []
        tap(app.staff.screens["staff_home"].body.ids.courses)
        return on(app, "staff_courses")

    def new():
        tap(courses.body.ids.new_course)

    def template_without_a_stick():
        dialog = popup(_pick())
        obs["how"] = dialog.question
        obs["ways"] = [b.text for b in reversed(dialog.ids.choices.children)]
        pick(t("staff.courses.new_way.template_courses"))

    def put_in_the_stick():
        obs["no_usb"] = [courses.message, courses.problem]
        stick.mkdir(parents=True)
        tap(courses.body.ids.new_course)

    def template():
        pick(t("staff.courses.new_way.template_courses"))

    def to_the_import():
        obs["written"] = [courses.message, courses.problem]
        obs["files"] = sorted(p.name for p in stick.iterdir())
        tap(courses.body.ids.new_course)

    def go():
        pick(t("staff.courses.new_way.import"))
        return on(app, "staff_imports")

    return login_steps(app, ADMIN, ADMIN_PIN) + [
        open_courses,
        new,
        template_without_a_stick,
        put_in_the_stick,
        template,
        to_the_import,
        go,
    ]


def courses_clerk(app, settings, obs):
    courses = app.staff.screens["staff_courses"]
    page = course_page(app)
    refusals = obs.setdefault("refusals", {})

    def open_courses():
        tile = app.staff.screens["staff_home"].body.ids.courses
        obs["tile"] = tile.text
        tap(tile)
        return on(app, "staff_courses")

    def new_term():
        obs["note"] = courses.message
        obs["courses_shown"] = len(courses.body.ids.courses.children)
        tap(courses.body.ids.new_term)

    def add_holiday():
        refusals["new_term"] = [courses.message, popup(_pick()) is not None]
        tap(courses.body.ids.add_holiday)

    def cancel():
        refusals["add_holiday"] = [courses.message, popup(_date_pick()) is not None]
        tap(future_rows(page)[0].ids.toggle)

    def capacity():
        refusals["cancel"] = [page.message, popup(_pick()) is not None]
        tap(page.body.ids.capacity)

    def generate():
        refusals["capacity"] = [page.message, popup(_pick()) is not None]
        tap(page.body.ids.generate)

    def look():
        refusals["generate"] = [page.message, popup(_pick()) is not None]

    return login_steps(app, CLERK, CLERK_PIN) + [
        open_courses,
        new_term,
        add_holiday,
        open_course(app, COURSE),
        cancel,
        capacity,
        generate,
        look,
    ]


def _pick():
    from screens.staff.frame import Pick

    return Pick


def _weekdays_pick():
    from screens.staff.courses import WeekdaysPick

    return WeekdaysPick


def _date_pick():
    from screens.staff.courses import DatePick

    return DatePick


SCENARIOS = [courses_admin, new_course, courses_clerk]
