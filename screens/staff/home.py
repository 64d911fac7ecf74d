"""The staff's start page: today's figures at a glance, and one big tile per task."""

from datetime import datetime

from kiosk import upkeep
from kiosk.desk import today
from kiosk.i18n import t
from kiosk.people import newcomers
from kiosk.points import redemptions
from kiosk.sync import status as sync_status
from screens import kv
from screens.staff.frame import StaffBody, StaffScreen
from screens.staff.sync import summary


class StaffHomeScreen(StaffScreen):
    def refresh(self) -> None:
        self.title = t("staff.home.title")
        self.back_to = ""
        now = datetime.now()
        items = today.day(now)
        signed = sum(i.signed for i in items)
        expected = sum(i.expected or 0 for i in items)
        ids = self.body.ids
        ids.today.text = t("staff.home.today", items=len(items), signed=signed, expected=expected)
        ids.storage.text = upkeep.notice(self.app.settings, now)  # before writes fail, not after
        waiting = len(newcomers.recent(now))
        ids.newcomers.text = t("staff.home.newcomers", count=waiting) if waiting else t("staff.home.newcomers_none")
        # Plain staff see the terms and courses but change nothing there (kiosk.staff.access).
        admin = self.app.staff.is_admin
        ids.courses.text = t("staff.home.courses") if admin else t("staff.home.courses_view")
        ids.imports.text = t("staff.home.imports") if admin else t("staff.home.imports_view")
        asked = redemptions.count_open()
        ids.redemptions.text = t("staff.home.redemptions", count=asked) if asked else t("staff.home.redemptions_none")
        url = self.app.settings.sync.url
        ids.sync.text = t("staff_sync.tile", summary=summary(sync_status.status(bool(url), url)))


class HomeBody(StaffBody):
    pass


StaffHomeScreen.Body = HomeBody
kv.load(__name__)
