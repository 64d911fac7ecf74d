"""What the seniors' own screens say: passbook rows, activities and courses as lines of text.

Plain Python over the core's views and the message catalog, tested without a display, like
present.py for results.
"""

from dataclasses import dataclass
from datetime import datetime

from kiosk.i18n import t
from screens.present import span


@dataclass(frozen=True)
class Row:
    """One line of the passbook."""

    date: str
    what: str
    amount: str
    gain: bool  # drawn in the 「成功」 green; the sign says it too (T-5)


@dataclass(frozen=True)
class ActivityLines:
    title: str
    when: str  # 11月25日 星期二 09:00–11:00　一楼 大厅
    facts: str  # 积分 5 · 还有 12 个名额
    mark: str  # ✓ 您已报名 / 您在候补第 2 位
    action: str  # the button's word, "" = no button


@dataclass(frozen=True)
class CourseLines:
    name: str
    attended: str
    next: str
    note: str
    missed: bool  # the note is the gentle one about missed lessons


def day(moment: datetime) -> str:
    """11月25日"""
    return t("points.date", month=moment.month, day=moment.day)


def passbook_row(entry) -> Row:
    kind = t(f"points.kind.{entry.kind}") if entry.kind in _KINDS else entry.kind
    title = entry.title
    if entry.kind == "volunteer" and entry.minutes:
        # The service and its hours: an entry made here says them in its note already, the
        # bureau's (another site's) names only the service.
        spent = t("points.hours", hours=hours(entry.minutes))
        title = title if title.endswith(spent) else " ".join(w for w in (title, spent) if w)
    return Row(day(entry.at), _what(kind, title), _signed(entry.amount), entry.amount > 0)


def hours(minutes: int) -> str:
    """Minutes as hours, to a tenth: 150 → 2.5, 120 → 2."""
    return f"{round(minutes / 60, 1):g}"


def volunteer_year(minutes: int) -> str:
    """「今年志愿服务 12.5 小时」, or nothing when the senior gave no service this year."""
    return t("points.volunteer_year", hours=hours(minutes)) if minutes else ""


def opening_row(points: int) -> Row:
    """The points the balance holds without passbook rows (Passbook.opening), as the oldest row:
    not an award, so not in the award's colour."""
    return Row("", t("points.opening"), _signed(points), False)


def _what(kind: str, title: str) -> str:
    """「积分兑换 · 老年大学纪念保温杯」: the kind and what for, each word said once.  A note may
    start with its kind (积分更正：…) or with the kind's verb (兑换 保温杯)."""
    if not title:
        return kind
    if title.startswith(kind):
        return title
    verb, _, rest = title.partition(" ")
    if rest and kind.endswith(verb):
        title = rest
    return f"{kind} · {title}"


def _signed(amount: int) -> str:
    sign = "points.amount_plus" if amount >= 0 else "points.amount_minus"
    return t(sign, amount=abs(amount))


_KINDS = ("lesson", "activity", "party", "volunteer", "redeem", "correction", "reversal")


@dataclass(frozen=True)
class OfferLines:
    """A row of 「我的积分能换什么」: the item, its price and stock, and the button's word (or, greyed,
    what the senior still lacks)."""

    name: str
    price: str  # 20 分
    left: str  # 还剩 3 件 ("" without a limit)
    action: str  # 我要兑换, "" for the one they cannot afford yet
    short: str  # 还差 40 分


def offer_lines(offer) -> OfferLines:
    left = t("catalogue.left", count=offer.left) if offer.left is not None else ""
    if offer.short:
        short = t("catalogue.short", points=offer.short)
        return OfferLines(offer.name, t("catalogue.price", points=offer.points), left, "", short)
    return OfferLines(offer.name, t("catalogue.price", points=offer.points), left, t("catalogue.ask"), "")


def catalogue_title(held: int) -> str:
    """「我的积分能换什么」, and the points the senior's open requests hold, which come off at the desk."""
    title = t("catalogue.title")
    return title + t("catalogue.held", points=held) if held else title


def redeem_question(offer) -> tuple[str, str, str]:
    """The confirmation's lines: 「兑换这件吗？」, what and its price, where (points come off there)."""
    return (
        t("catalogue.confirm"),
        t("catalogue.confirm_what", name=offer.name, points=offer.points),
        t("catalogue.confirm_where"),
    )


def balance(points: int) -> str:
    return t("points.figure", balance=points)


def page(number: int, pages: int) -> str:
    """第 1 / 3 页 (number is 0-based); nothing when everything fits on one page."""
    return t("service.page", page=number + 1, pages=pages) if pages > 1 else ""


def activity_lines(view, identified: bool) -> ActivityLines:
    weekday = t("home.weekday")[view.start.weekday()]
    when = t("activities.when", date=day(view.start), weekday=weekday, time=span(view))
    when = t("format.when_where", time=when, place=view.place)
    title = view.title
    if view.org_kind:  # their own branch's or team's next activity: 「您的支部：主题党日」
        kind = view.org_kind if view.org_kind in _ORG_KINDS else "other"
        title = t("activities.org_title", org=t(f"activities.org.{kind}"), title=title)
    return ActivityLines(title, when, _facts(view), _mark(view), _action(view) if identified else "")


_ORG_KINDS = ("branch", "temp_branch", "team", "club")


def attract_row(view, large: bool = False) -> str:
    """An activity's line on the attract screen: a cancelled one says so, so nobody comes for it.
    In 大字 (`large`) the line leaves out the place and cuts a long title, so it never wraps."""
    when = day(view.start)
    title = _cut(view.title, TITLE_SHOWN) if large else view.title
    if view.cancelled:
        return t("activities.cancelled_row", time=when, title=title)
    if large:
        return t("format.row_short", time=when, title=title)
    return t("format.row", time=when, title=title, place=view.place)


def _facts(view) -> str:
    if view.status == "waitlisted":
        return t("activities.waitlist_note")
    if view.open:
        return t("activities.open")
    points = t("activities.points", points=view.points)
    if view.places_left is None:
        room = t("activities.unlimited")
    elif view.places_left > 0:
        room = t("activities.left", count=view.places_left)
    else:
        room = t("activities.full")
    return f"{points} · {room}"


def _mark(view) -> str:
    if view.status == "registered":
        return t("activities.registered")
    if view.status == "waitlisted":
        return t("activities.waitlisted", position=view.waitlist_position)
    return ""


def _action(view) -> str:
    if not view.can_change:
        return ""
    if view.status == "registered":
        return t("activities.cancel")
    if view.status == "waitlisted":
        return t("activities.leave_waitlist")
    if view.places_left == 0:
        return t("activities.join_waitlist") if view.waitlist else ""
    return t("activities.sign_up")


def cancel_question(view) -> str:
    """The confirmation's question: 取消报名吗？ or 取消候补吗？"""
    key = "confirm_leave_waitlist" if view.status == "waitlisted" else "confirm_cancel"
    return t(f"activities.{key}")


def course_lines(view) -> CourseLines:
    if view.next_lesson:
        item = view.next_lesson
        weekday = t("home.weekday")[item.start.weekday()]
        when = f"{day(item.start)} {weekday} {span(item)}"
        following = t("courses.next", when=when, place=item.place)
    elif view.under_way:
        following = t("courses.under_way", time=span(view.under_way), place=view.under_way.place)
    else:
        following = t("courses.no_next")
    attended = t("courses.attended", attended=view.attended, held=view.held) if view.held else ""
    missed = view.status == "enrolled" and view.missed_in_a_row >= 2
    if view.status == "waitlisted":
        note = t("courses.waitlisted")
    else:
        note = t("courses.missed") if missed else ""
    return CourseLines(view.name, attended, following, note, missed)


def change_message(change) -> str:
    """What a tap on an activity's button did, in a line over the list."""
    title = change.view.title if change.view else ""
    view = change.view
    # "already" and "not_registered" come from a second tap racing the first: say how it stands.
    if change.outcome in ("registered", "already") and view and view.status == "registered":
        return t("activities.done_registered", title=title)
    if change.outcome in ("waitlisted", "already") and view and view.status == "waitlisted":
        return t("activities.done_waitlisted", position=view.waitlist_position)
    if change.outcome in ("cancelled", "not_registered"):
        return t("activities.done_cancelled", title=title)
    if change.outcome == "full":
        return t("activities.done_full")
    return t("activities.done_closed")


# The news band holds one line (NewsLine cuts what overflows): at most so many characters at
# each type size (a CJK character is one em; the band is ~33 em wide in normal type, ~24 in 大字).
# What is cut is the reason first, then the title: 「…已取消」 and the count of the other news
# always show.  Staff tell the rest.
LINE, LINE_LARGE = 30, 22
TITLE_SHOWN = 12  # a title's most, in the news and on an attract line in 大字


def news(notices, large: bool = False) -> str:
    """News for the senior just identified, told once: each place they got from a waitlist, each
    activity they registered for that was cancelled (「重阳健步行（12月1日）已取消：<reason>」),
    in one line at the senior's type size (`large`: 大字)."""
    if not notices:
        return ""
    more = t("service.more_news", n=len(notices) - 1) if len(notices) > 1 else ""
    return _one_news(notices[0], (LINE_LARGE if large else LINE) - len(more)) + more


def _one_news(n, room: int) -> str:
    """One news in at most `room` characters, cutting its reason, then its title."""
    if n.cancelled:
        key, words = "service.cancelled", {"date": day(n.start), "reason": n.reason or t("service.no_reason")}
    else:
        key, words = "service.promoted", {}
    title = _cut(n.title, TITLE_SHOWN)
    if "reason" in words:
        bare = len(t(key, title=title, **{**words, "reason": ""}))
        words["reason"] = _cut(words["reason"], max(1, room - bare))
    over = len(t(key, title=title, **words)) - room
    if over > 0:
        title = _cut(title, max(2, len(title) - over))
    return t(key, title=title, **words)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def news_voice(notices) -> tuple[str, ...]:
    """The clip said after the result: the good news of a place, when there is one (a cancellation
    is read on the screen: no clip of its own)."""
    return ("promoted",) if any(not n.cancelled for n in notices) else ()
