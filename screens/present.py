"""What the screens say: the clock, the date, schedule rows and results as lines of text.

Plain Python over the core's Items and Results and the message catalog, so every word a senior
reads is tested without a display.  The screens only put these strings into labels.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from kiosk import timesync
from kiosk.checkin.signin import FULL, Result
from kiosk.health import Health
from kiosk.i18n import t
from kiosk.programme.notices import NoticeView
from kiosk.programme.schedule import Item
from kiosk.sync.status import Status as SyncStatus

RESULT_LINES = 4  # detail lines under the result heading; more become 「另有 N 项」
RESULT_LINES_LARGE = 2  # ... in 大字


@dataclass(frozen=True)
class ResultView:
    """A Result in words: the result word, whose it is, and what follows."""

    kind: str
    word: str
    name: str = ""  # plain text; the screen draws rare characters with a fallback font
    heading: str = ""
    lines: tuple[str, ...] = ()
    figure: str = ""  # points gained and balance: a key figure (T-2)
    ask: str = ""  # a question with 「签到」/「不用了」: another item due besides the one signed


def clock(now: datetime) -> str:
    return f"{now:%H:%M}"


def date_line(now: datetime) -> str:
    """2025年11月21日 星期五"""
    weekday = t("home.weekday")[now.weekday()]
    return f"{t('home.date', year=now.year, month=now.month, day=now.day)} {weekday}"


def span(item: Item) -> str:
    """09:30–11:30 (of anything with a start and an end: an Item, an activity's view)"""
    return t("format.span", start=f"{item.start:%H:%M}", end=f"{item.end:%H:%M}")


def when_where(item: Item) -> str:
    """09:30–11:30　一楼 大厅"""
    return t("format.when_where", time=span(item), place=item.place)


def row(item: Item) -> str:
    """One item of a day on one line: time, title and place."""
    return t("format.row", time=span(item), title=item.title, place=item.place)


def notice_heading(notice: NoticeView) -> str:
    """停课：周三太极拳停课"""
    return t("notice.heading", label=notice.label, title=notice.title)


def notice_period(notice: NoticeView) -> str:
    """12月1日 08:00 至 12月8日 18:00"""
    start, end = notice.start, notice.end
    return t(
        "notice.period",
        start_month=start.month,
        start_day=start.day,
        start_time=f"{start:%H:%M}",
        end_month=end.month,
        end_day=end.day,
        end_time=f"{end:%H:%M}",
    )


def notice_line(notice: NoticeView) -> str:
    """停课：周三太极拳停课（至 12月8日 18:00）: home's band, where the notice is already in force"""
    until = t("notice.until", month=notice.end.month, day=notice.end.day, time=f"{notice.end:%H:%M}")
    return t("notice.line", heading=notice_heading(notice), until=until)


def still_on(items: list[Item], now: datetime) -> list[Item]:
    """The items of the day that have not ended yet: what a senior arriving now cares about."""
    return [i for i in items if i.end > now]


def board_rows(room: float, row: float, note: float) -> tuple[int, bool]:
    """How many schedule rows a board of height `room` holds with the note line under them, and
    whether the note fits too: when only one row fits, the next class stays and the note (「今天
    稍后还有 N 项」) gives way (大字 with a busy status corner)."""
    rows = max(0, int((room - note) // max(1, row)))
    if rows == 0 and room >= row:
        return 1, False
    return rows, True


def fit(lines: list[str], limit: int) -> list[str]:
    """At most `limit` lines; when there are more, the last says how many were left out."""
    if len(lines) <= limit:
        return lines
    return lines[: limit - 1] + [t("home.more", count=len(lines) - limit + 1)]


def result_view(result: Result, large: bool = False) -> ResultView:
    """The words for every kind of Result except "choose", which has its own screen.  In 大字
    (`large`) a day's schedule has fewer lines, each without the place, so none wraps."""
    base = ResultView(result.kind, t(f"result.{result.kind}"), result.display_name)
    if result.kind == "not_due":
        return _not_due(base, result, large)
    detail = _DETAIL.get(result.kind)
    return detail(base, result) if detail else base


def _ok(view: ResultView, r: Result) -> ResultView:
    return replace(view, heading=r.item.title, lines=(span(r.item), _go(r.item, "ok")), figure=_points(r))


def _already(view: ResultView, r: Result) -> ResultView:
    # What they signed in to, when, and that there is nothing more to do; when something else is
    # due too, the question takes the balance's place: one decision on the screen at a time.
    first = t("result.detail.first_time", time=f"{r.first_time:%H:%M}")
    lines = (first, _go(r.item, "already"))
    if r.options:
        return replace(view, heading=r.item.title, lines=lines, ask=ask_more(r.options))
    return replace(view, heading=r.item.title, lines=lines, figure=_balance(r))


def ask_more(options: tuple[Item, ...]) -> str:
    """「还要签到 XX 吗？」 for the one other item due, or how many there are."""
    if len(options) == 1:
        return t("result.ask.one", title=options[0].title)
    return t("result.ask.several", count=len(options))


def _go(item: Item, kind: str) -> str:
    """Where to go now: 「请到 一楼 大厅 上课」; 「不用再刷了，请直接去上课」 ..."""
    what = "activity" if item.kind == "activity" else "lesson"
    if kind == "ok":
        return t(f"result.next.ok_{what}", place=item.place) if item.place else t(f"result.next.go_{what}")
    return t(f"result.next.already_{what}")


def _not_due(view: ResultView, r: Result, large: bool) -> ResultView:
    if not r.today:
        return replace(view, heading=t("result.detail.today_none"), figure=_balance(r))
    rows = [t("format.row_short", time=span(i), title=i.title) if large else row(i) for i in r.today]
    lines = fit(rows, RESULT_LINES_LARGE if large else RESULT_LINES)
    return replace(view, heading=t("result.detail.today_heading"), lines=tuple(lines), figure=_balance(r))


def _not_enrolled(view: ResultView, r: Result) -> ResultView:
    # A class is enrolled in (报名这个班); an activity is registered for (报名这个活动).
    word = t("result.not_registered") if r.item.kind == "activity" else view.word
    # Only the hint: the time and room are of no use to a senior not in the class, and 大字 with a
    # line of good news above leaves no room for them.
    hint = t("result.detail.not_enrolled_hint", title=r.item.title)
    return replace(view, word=word, lines=(hint,))


def _invalid_card(view: ResultView, r: Result) -> ResultView:
    # The senior gets a kind next step; the technical reason (forged, malformed ...) goes to the
    # log for staff, never as an accusation on the public screen.
    # Advice fits the card: a QR card cannot be laid flat, and retrying a bad one never helps.
    if r.detail == "card.revoked":
        key = "result.help.revoked"
    else:
        key = "result.help.invalid_qr" if r.method == "qr" else "result.help.invalid_card"
    return replace(view, lines=(t(key),))


def _unknown_card(view: ResultView, r: Result) -> ResultView:
    # An ID card of no member is a newcomer to register; an unknown QR card is something else.
    if r.method == "idcard":
        return replace(view, word=t("result.unknown_id"), lines=(t("result.help.unknown_id"),))
    return _help(view, r)


def _help(view: ResultView, r: Result) -> ResultView:
    return replace(view, lines=(t(f"result.help.{r.kind}"),))


def _error(view: ResultView, r: Result) -> ResultView:
    # The senior is asked to see staff; staff learn why (a full disk needs a technician, not a retry).
    full = (t("result.help.storage_full"),) if r.detail == FULL else ()
    return replace(view, lines=(t("result.help.error"), *full))


def _points(r: Result) -> str:
    if r.points_gained > 0:
        return t("result.detail.points", gained=r.points_gained, balance=r.balance)
    return _balance(r)


def _balance(r: Result) -> str:
    return "" if r.balance is None else t("result.detail.balance", balance=r.balance)


_DETAIL = {
    "ok": _ok,
    "already": _already,
    "not_enrolled": _not_enrolled,
    "invalid_card": _invalid_card,
    "unknown_card": _unknown_card,
    "expired_card": _help,
    "error": _error,
}


def device_status(health: Health) -> str:
    """One device in the status corner: 身份证读卡器 正常 · 最近读卡 14:05 · 2 次故障; 回执打印机 缺纸"""
    parts = [t(f"device.{health.kind}"), t(f"device.{health.state()}")]
    if health.last_read:
        said = "device.last_print" if health.kind == "printer" else "device.last_read"
        parts.append(t(said, time=f"{health.last_read:%H:%M}"))
    if health.faults:
        parts.append(t("device.faults", count=health.faults))
    return f"{parts[0]} {' · '.join(parts[1:])}"


def clock_warning(status: SyncStatus | None, synchronised: bool = True) -> str:
    """The status corner's line when this kiosk's clock is far from the bureau's, or is not
    synchronised while the bureau cannot be reached to check it ("" when neither): a wrong clock
    makes every lesson 「不在签到时间」, and only staff can set it right."""
    if status is not None and not status.clock_off and not synchronised and status.configured and status.last_error:
        return t("device.clock_unsynced")
    if status is None or not status.clock_off:
        return ""
    amount = timesync.amount(abs(status.clock_offset_ms))
    # The offset is the bureau's clock minus ours: positive, ours is behind.
    return t("device.clock_slow" if status.clock_offset_ms > 0 else "device.clock_fast", amount=amount)


def phrase(result: Result) -> tuple[str, dict]:
    """The voice phrase for a Result and its numbers (screens/support/voice.py PHRASES): never a name."""
    if result.kind == "not_enrolled" and result.item and result.item.kind == "activity":
        return "not_registered", {}
    if result.kind == "unknown_card" and result.method == "idcard":
        return "unknown_id", {}
    if result.kind == "ok":
        return "ok", {"gained": result.points_gained}
    if result.kind == "already" and result.options:
        return "already_ask", {}
    return result.kind, {}


CHANGE_PHRASES = {"registered": "signed_up", "waitlisted": "waitlisted", "cancelled": "cancelled"}


def change_phrase(outcome: str) -> str:
    """The voice phrase for what a tap on an activity's button did ("" = say nothing)."""
    return CHANGE_PHRASES.get(outcome, "")
