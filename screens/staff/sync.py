"""同步状态: whether this kiosk's records have reached the bureau — a headline in words, icon and
colour, what to do about an error, the last uploads and downloads, and the facts the bureau
refused and why — with 「立即同步」.  It follows the sync thread's reports (app.sync_status)."""

from datetime import datetime

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import label, t
from kiosk.sync import status as sync_status
from kiosk.sync.status import Rejected, Status
from screens import kv
from screens.staff.frame import StaffBody, StaffScreen

PER_PAGE = 4
# Each headline's colour (a result kind's, screens/theme.STATUS) and glyph: the word says it, the
# icon says it again, the colour only helps (T-5).
LOOKS = {
    "synced": ("ok", "ok"),
    "pending": ("not_due", "not_due"),
    "syncing": ("already", "not_due"),
    "offline": ("unknown_card", "invalid_card"),
    "denied": ("invalid_card", "error"),
    "failed": ("error", "error"),
    "off": ("error", "not_enrolled"),
}


class StaffSyncScreen(StaffScreen):
    LOOKS = LOOKS
    state = StringProperty("off")  # the headline: a key of LOOKS
    syncing = BooleanProperty(False)  # 立即同步 was tapped; the sync thread has not reported yet

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.status: Status | None = None
        self.app.bind(sync_status=self._reported)

    def refresh(self) -> None:
        self.title = t("staff_sync.title")
        self.body.ids.pager.page = 0
        self.show()

    def show(self) -> None:
        url = self.app.settings.sync.url
        self.status = s = sync_status.status(bool(url), url)
        self.state = "syncing" if self.syncing else sync_status.headline(s)
        ids = self.body.ids
        ids.headline.text = _headline(self.state, s)
        ids.explain.text = _explain(s) if not self.syncing else ""
        ids.detail.text = t("staff_sync.detail", error=s.last_error, at=_when(s.last_error_at)) if s.last_error else ""
        ids.last_push.text = t("staff_sync.last_push", at=_when(s.last_push_ok))
        ids.last_pull.text = t("staff_sync.last_pull", at=_when(s.last_pull_ok))
        ids.backlog.text = (
            t("staff_sync.backlog", count=s.backlog, at=_when(s.oldest_pending))
            if s.backlog
            else t("staff_sync.backlog_none")
        )
        ids.bureau.text = t("staff_sync.bureau", host=s.bureau) if s.bureau else t("staff_sync.bureau_none")
        ids.nightly.text = nightly_line(s)
        ids.clock.text = clock_line(s.clock_offset_ms) if s.clock_off else ""
        self.show_rejected()

    def show_rejected(self) -> None:
        s, rows = self.status, self.body.ids.rows
        shown = len(s.rejected_facts)
        if not s.rejected:
            heading = t("staff_sync.rejected_none")
        elif s.rejected > shown:
            heading = t("staff_sync.rejected_heading_more", count=s.rejected, shown=shown)
        else:
            heading = t("staff_sync.rejected_heading", count=s.rejected)
        self.body.ids.rejected.text = heading
        rows.clear_widgets()
        for fact in self.body.ids.pager.slice(list(s.rejected_facts), PER_PAGE):
            rows.add_widget(RejectedRow(**rejected_row(fact)))

    def sync_now(self) -> None:
        """「立即同步」: the sync thread stops waiting; its report ends 正在同步…"""
        self.syncing = True
        self.app.sync.sync_now()
        self.tell(t("staff_sync.asked"))
        self.show()

    def _reported(self, _app, _status) -> None:
        self.syncing = False
        if self.manager and self.manager.current == self.name:
            self.message = ""
            self.show()

    def forget(self) -> None:
        super().forget()
        self.syncing = False
        self.body.ids.rows.clear_widgets()


def _headline(state: str, s: Status) -> str:
    return t(f"staff_sync.headline.{state}", count=s.backlog)


def _explain(s: Status) -> str:
    state = sync_status.headline(s)
    if state in ("denied", "failed"):
        return t(f"staff_sync.explain.{sync_status.error_kind(s.last_error)}")
    if state == "synced" and s.rejected:
        return t("staff_sync.explain.synced_rejected", count=s.rejected)
    return t(f"staff_sync.explain.{state}", count=s.backlog)


def summary(s: Status) -> str:
    """The staff home tile's line: 已同步, 待上传 12 条 …"""
    return t(f"staff_sync.summary.{sync_status.headline(s)}", count=s.backlog)


def nightly_line(s: Status) -> str:
    if s.last_nightly_ok is None:
        return t("staff_sync.nightly_none")
    problems = [_stream_result(stream, result) for stream, result in s.last_nightly_result.items() if result != "ok"]
    return t(
        "staff_sync.nightly", at=_when(s.last_nightly_ok), result="；".join(problems) or t("staff_sync.nightly_all_ok")
    )


def _stream_result(stream: str, result: str) -> str:
    name = label(f"staff_sync.stream.{stream}", stream)
    if result in ("refetched", "unchecked"):
        return t(f"staff_sync.nightly_{result}", stream=name)
    return t("staff_sync.nightly_error", stream=name, error=result)


def clock_line(offset_ms: int) -> str:
    """The bureau's clock minus ours: positive, ours is behind (slow)."""
    minutes = round(abs(offset_ms) / 60_000)
    return t("staff_sync.clock_slow" if offset_ms > 0 else "staff_sync.clock_fast", minutes=minutes)


def rejected_row(fact: Rejected) -> dict:
    return {
        "seq": t("staff_sync.seq", seq=fact.seq),
        "at": f"{fact.written:%Y-%m-%d %H:%M}",
        "kind": label(f"staff_sync.kind.{fact.kind}", fact.kind),
        "code": label(f"staff_sync.code.{fact.code}", fact.code),
        "reason": fact.reason,
    }


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}" if at else t("staff_sync.never")


class RejectedRow(BoxLayout):
    seq = StringProperty("")
    at = StringProperty("")
    kind = StringProperty("")
    code = StringProperty("")
    reason = StringProperty("")


class SyncBody(StaffBody):
    pass


StaffSyncScreen.Body = SyncBody
kv.load(__name__)
