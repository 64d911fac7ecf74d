"""「兑换这件吗？」 over 我的积分's 「我的积分能换什么」: the item and its price, and where to get it
(请到服务台领取，领取时扣分).  Only 「确定兑换」 asks for it, so a stray tap on a row asks nothing."""

from collections.abc import Callable

from kivy.properties import StringProperty

from kiosk.points.catalogue import Offer
from screens import kv, present_service
from screens.widgets import Question


class ConfirmRedeem(Question):
    question = StringProperty("")
    what = StringProperty("")
    where = StringProperty("")

    def ask(self, offer: Offer, on_yes: Callable[[], None]) -> None:
        self.question, self.what, self.where = present_service.redeem_question(offer)
        self.put(on_yes)

    def on_dismiss(self) -> None:
        self.question = self.what = self.where = ""


kv.load(__name__)
