"""兑换领取: the seniors' requests for catalogue items (kiosk.points.redemptions), open ones first
(today's first: the seniors still at the centre), with 「领取」 (the points come off now, through the
ledger) and 「取消」; under them the last days' handovers, with 「退回」 (the ledger's correction:
admins only) for a mistake.  A reason is picked from a list; nothing needs typing."""

from datetime import datetime

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.points import redemptions
from kiosk.points.redemptions import RequestView
from screens import kv
from screens.staff.frame import Pick, StaffBody, StaffScreen

OPEN_PER_PAGE = 5
HANDED_PER_PAGE = 2


class StaffRedemptionsScreen(StaffScreen):
    def refresh(self) -> None:
        self.title = t("staff.redemptions.title")
        self.body.ids.open_pager.page = self.body.ids.handed_pager.page = 0
        self.show()

    def resume(self) -> None:
        self.refresh_keep_message()  # a senior may just have asked for something

    def show(self) -> None:
        now = datetime.now()
        waiting = redemptions.open_requests(now.date())
        self.body.ids.open_title.text = t("staff.redemptions.open", count=len(waiting))
        self._rows(self.body.ids.open_rows, self.body.ids.open_pager.slice(waiting, OPEN_PER_PAGE))
        handed = redemptions.handed_recently(now)
        self.body.ids.handed_title.text = t("staff.redemptions.handed", days=redemptions.HANDED_DAYS) if handed else ""
        self._rows(self.body.ids.handed_rows, self.body.ids.handed_pager.slice(handed, HANDED_PER_PAGE))
        if not waiting and not self.message:
            self.tell(t("staff.redemptions.none"))

    def _rows(self, box, views: list[RequestView]) -> None:
        box.clear_widgets()
        for view in views:
            row = RequestRow(view=view, today=view.at.date() == datetime.now().date())
            if view.status == "open":
                row.ids.give.bind(on_release=lambda _b, v=view: self.ask_give(v))
            row.ids.cancel.bind(on_release=lambda _b, v=view: self.ask_cancel(v))
            box.add_widget(row)

    def ask_give(self, view: RequestView) -> None:
        question = t(
            "staff.redemptions.give_question",
            name=view.name,
            member_no=view.member_no,
            item=view.item,
            points=view.points,
        )
        yes = t("staff.redemptions.give_yes", points=view.points)
        Pick().ask(question, [(yes, view)], self.give)

    def give(self, view: RequestView) -> None:
        self.attempt(
            lambda: redemptions.hand_over(self.app.staff.actor, view.id, datetime.now()),
            lambda done: self._done("staff.redemptions.given", done),
        )

    def ask_cancel(self, view: RequestView) -> None:
        key = "staff.redemptions.cancel_question" if view.status == "open" else "staff.redemptions.take_back_question"
        question = t(key, name=view.name, item=view.item, points=view.points)
        choices = [(t(f"redemption.reason.{r}"), r) for r in redemptions.CANCEL_REASONS]
        Pick().ask(question, choices, lambda reason: self.cancel(view, reason))

    def cancel(self, view: RequestView, reason: str) -> None:
        said = "staff.redemptions.cancelled" if view.status == "open" else "staff.redemptions.taken_back"
        self.attempt(
            lambda: redemptions.cancel(self.app.staff.actor, view.id, reason, datetime.now()),
            lambda done: self._done(said, done),
        )

    def _done(self, said: str, done: redemptions.Handled) -> None:
        self.tell(t(said, name=done.name, item=done.item, points=done.points, balance=done.balance))
        self.show()

    def forget(self) -> None:
        super().forget()
        for box in ("open_rows", "handed_rows"):
            self.body.ids[box].clear_widgets()
        self.body.ids.open_title.text = self.body.ids.handed_title.text = ""


class RequestRow(BoxLayout):
    """When asked (or handed over), who, what, the points, and its buttons."""

    view = ObjectProperty(None)
    today = BooleanProperty(False)
    when = StringProperty("")

    def on_view(self, _row, view: RequestView) -> None:
        at = view.handed_at if view.status == "handed" and view.handed_at else view.at
        day = t("points.date", month=at.month, day=at.day)
        self.when = t("staff.redemptions.when", date=day, time=f"{at:%H:%M}")


class RedemptionsBody(StaffBody):
    pass


StaffRedemptionsScreen.Body = RedemptionsBody
kv.load(__name__)
