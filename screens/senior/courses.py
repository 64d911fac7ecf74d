"""我的课程: this term's courses, the next lesson, attendance so far, and a gentle note after two
missed lessons in a row."""

from datetime import datetime

from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.programme import my_courses as courses
from screens import kv, present_service
from screens.senior.service import ServiceScreen

ROWS = 3
ROWS_LARGE = 2


class CourseRow(BoxLayout):
    missed = BooleanProperty(False)
    filled = BooleanProperty(False)

    def show(self, lines: present_service.CourseLines | None) -> None:
        self.filled = lines is not None
        self.ids.course.text = lines.name if lines else ""
        self.ids.attended.text = lines.attended if lines else ""
        self.ids.next.text = lines.next if lines else ""
        self.ids.note.text = lines.note if lines else ""
        self.missed = bool(lines and lines.missed)


class CoursesScreen(ServiceScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = [CourseRow() for _ in range(ROWS)]
        for row in self.rows:
            self.ids.rows.add_widget(row)

    def show(self, news: str = "") -> None:
        views = courses.my_courses(self.senior.member_no, datetime.now())
        shown = self.page_of(views, self.rows, ROWS_LARGE)
        for i, row in enumerate(self.rows):
            row.show(present_service.course_lines(shown[i]) if i < len(shown) else None)
        self.ids.empty.text = "" if views else t("courses.none")
        self.frame(news)

    def forget(self) -> None:
        super().forget()
        for row in self.rows:
            row.show(None)
        self.ids.empty.text = ""


kv.load(__name__)
