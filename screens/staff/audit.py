"""操作记录: every change staff made on this kiosk (and at its command line), newest first — who,
when, what and why — a page at a time."""

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.staff import audit
from screens import kv
from screens.staff.frame import StaffBody, StaffScreen
from screens.staff.measure import column_width

PER_PAGE = 10


class StaffAuditScreen(StaffScreen):
    def refresh(self) -> None:
        self.title = t("staff.audit.title")
        self.body.ids.pager.page = 0
        self.show()

    def show(self) -> None:
        pager = self.body.ids.pager
        total = audit.count()
        pager.pages = max(1, -(-total // PER_PAGE))
        pager.page = min(pager.page, pager.pages - 1)
        rows = self.body.ids.rows
        rows.clear_widgets()
        entries = audit.recent(PER_PAGE, pager.page * PER_PAGE)
        self.fit_columns(entries)
        for entry in entries:
            rows.add_widget(
                AuditRow(
                    at=f"{entry.at:%Y-%m-%d %H:%M}",
                    who=entry.staff_name,
                    action=entry.action_text,
                    target=entry.object_text,
                    detail=entry.detail_text,
                    who_w=self.body.who_w,
                    action_w=self.body.action_w,
                    target_w=self.body.target_w,
                )
            )
        self.body.ids.count.text = t("staff.audit.count", count=total)
        if not total:
            self.tell(t("staff.audit.none"))

    def forget(self) -> None:
        super().forget()
        self.body.ids.rows.clear_widgets()
        self.body.ids.count.text = ""

    def fit_columns(self, entries: list[audit.Entry]) -> None:
        """Who, the action and its object as wide as this page's widest (the details get the rest)."""
        mm, body = self.app.theme.mm, self.body
        body.who_w = column_width([e.staff_name for e in entries] + [t("staff.audit.who")], mm(24), mm(48))
        body.action_w = column_width(
            [e.action_text for e in entries] + [t("staff.audit.action_heading")], mm(30), mm(80), bold=True
        )
        body.target_w = column_width(
            [e.object_text for e in entries] + [t("staff.audit.target_heading")], mm(40), mm(130)
        )


class AuditRow(BoxLayout):
    at = StringProperty("")
    who = StringProperty("")
    action = StringProperty("")
    target = StringProperty("")
    detail = StringProperty("")
    who_w = NumericProperty(100)
    action_w = NumericProperty(200)
    target_w = NumericProperty(300)


class AuditBody(StaffBody):
    who_w = NumericProperty(100)
    action_w = NumericProperty(200)
    target_w = NumericProperty(300)


StaffAuditScreen.Body = AuditBody
kv.load(__name__)
