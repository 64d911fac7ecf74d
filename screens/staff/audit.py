"""操作记录: every change staff made on this kiosk (and at its command line), newest first — who,
when, what and why — a page at a time."""

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import label, t
from kiosk.staff import audit
from screens import kv
from screens.staff.frame import StaffBody, StaffScreen

PER_PAGE = 10
# The first word of an audit target (kiosk.staff.audit.record callers) → how the page names it.
TARGETS = ("member", "course", "lesson", "term", "staff", "file", "report")


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
        for entry in audit.recent(PER_PAGE, pager.page * PER_PAGE):
            rows.add_widget(
                AuditRow(
                    at=f"{entry.at:%Y-%m-%d %H:%M}",
                    who=entry.staff_name,
                    action=action_label(entry.action),
                    target=target_label(entry.target),
                    reason=entry.reason,
                )
            )
        self.body.ids.count.text = t("staff.audit.count", count=total)
        if not total:
            self.tell(t("staff.audit.none"))

    def forget(self) -> None:
        super().forget()
        self.body.ids.rows.clear_widgets()
        self.body.ids.count.text = ""


def action_label(action: str) -> str:
    """The Chinese name of an audit action; the action itself when the catalog has none."""
    return label(f"staff.audit.action.{action}", action)


def target_label(target: str) -> str:
    """What an action changed, in Chinese: member DM0001 → 学员 DM0001, report care → 报表 关怀名单."""
    word, _, rest = target.partition(" ")
    if word not in TARGETS or not rest:
        return target
    if word == "report":
        rest = label(f"staff.exports.report.{rest}", rest)
    return f"{t(f'staff.audit.target.{word}')} {rest}"


class AuditRow(BoxLayout):
    at = StringProperty("")
    who = StringProperty("")
    action = StringProperty("")
    target = StringProperty("")
    reason = StringProperty("")


class AuditBody(StaffBody):
    pass


StaffAuditScreen.Body = AuditBody
kv.load(__name__)
