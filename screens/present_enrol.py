"""What the enrolment screens say (issue 23; docs/design.md §4.8, §8.2): a course card's lines, what
a tap did, the draw's result as news, and the phrase for each.  Plain Python, tested without a
display."""

from dataclasses import dataclass

from kiosk.enrolment.applications import Origin, Outcome
from kiosk.enrolment.results import DrawLine
from kiosk.enrolment.seasons import CourseCard, SeasonView
from kiosk.enrolment.slip import when as slot_text
from kiosk.i18n import t
from screens.present_service import LINE, LINE_LARGE, day


@dataclass(frozen=True)
class CardLines:
    title: str
    mark: str  # ✓ 已报名, or why the senior may not apply (short)
    when: str  # 张老师　每周二 09:00-11:00
    where: str  # 三楼书画室　名额 30 人　60-75 岁
    action: str  # 报名, 取消报名, or "" (no button)


def card_lines(card: CourseCard) -> CardLines:
    if card.applied:
        mark, action = t("season.applied"), t("season.withdraw")
    elif card.refusal and card.refusal != "needs_id_card":
        mark, action = t(f"season.refusal_short.{card.refusal}"), ""
    else:  # a QR card for an age-limited course may tap: the answer asks for the ID card
        mark, action = (t("season.refusal_short.needs_id_card") if card.refusal else ""), t("season.apply")
        if not mark and card.older_needs_id:  # older applicants first: only an ID card shows the age
            mark = t("season.older_needs_id")
    return CardLines(card.title, mark, _when(card), _where(card), action)


def withdraw_question(card: CourseCard) -> tuple[str, str, str]:
    """取消报名吗？, the course and its teacher and time: what 「确定取消」 would withdraw."""
    return t("season.confirm_withdraw"), card.title, _when(card)


def _when(card: CourseCard) -> str:
    return t("season.teacher_when", teacher=card.teacher, when=slot_text(card.slots)).strip("　")


def _where(card: CourseCard) -> str:
    key = "season.room_places" if card.capacity else "season.room_unlimited"
    text = t(key, room=card.room, capacity=card.capacity).strip("　")
    if card.age_min is not None and card.age_max is not None:
        text += t("season.age_range", low=card.age_min, high=card.age_max)
    elif card.age_min is not None:
        text += t("season.age_from", low=card.age_min)
    elif card.age_max is not None:
        text += t("season.age_to", high=card.age_max)
    return text


def who(name: str, proxy: Origin | None) -> str:
    """The header's name: the senior's, or 「代谢*珍报名」 while staff apply for them (the reason
    is in the audit: the header has room for the name only)."""
    return name if proxy is None else t("season.proxy_for", name=name)


def season_line(season: SeasonView, applied: int) -> str:
    """The band under the header before any tap: the season, its close, its draw, how many
    the senior may still apply for, and its older-first group when it has one."""
    closes = t("points.date", month=season.closes.month, day=season.closes.day)
    older = "，" + t("season.older_first", age=season.older_first) if season.older_first is not None else ""
    return (
        t("season.max_courses", n=season.max_courses, count=applied)
        + "，"
        + t("season.done_closed_at", date=closes, draw=day(season.draw_at))
        + older
    )


def category_text(category: str, count: int) -> str:
    return t("season.category", category=category, count=count)


def outcome_message(done: Outcome) -> str:
    """What a tap of 报名 / 取消报名 did, in the band over the cards."""
    if done.kind == "applied":
        return t("season.done_applied", course=done.course, date=day(done.season.draw_at))
    if done.kind == "refused":
        return t(f"season.refusal.{done.refusal}")
    if done.kind == "too_many":
        return t("season.done_too_many", n=done.season.max_courses)
    return t(f"season.done_{done.kind}", course=done.course)


def outcome_phrase(done: Outcome) -> str:
    if done.kind == "refused":
        return "enrol_needs_id" if done.refusal == "needs_id_card" else "enrol_refused"
    return {"applied": "signed_up", "withdrawn": "cancelled", "too_many": "enrol_too_many"}.get(
        done.kind, "error" if done.kind == "not_found" else ""
    )


def drawn_news(lines: tuple[DrawLine, ...], large: bool = False) -> str:
    """The draw's result in the result screen's news band: the first course (won first), and 「等
    N 条」 for the others, at most a line."""
    if not lines:
        return ""
    ordered = sorted(lines, key=lambda d: ("won", "waitlisted", "refused").index(d.status))
    first = ordered[0]
    if first.status == "won":
        text = t("season.won", course=first.title)
    elif first.status == "waitlisted":
        text = (
            t("season.waitlisted", course=first.title, position=first.waitlist_position)
            if first.waitlist_position
            else t("season.waitlisted_plain", course=first.title)
        )
    else:
        text = (
            t("season.not_won", course=first.title, reason=first.refusal)
            if first.refusal
            else t("season.not_won_plain", course=first.title)
        )
    more = t("service.more_news", n=len(lines) - 1) if len(lines) > 1 else ""
    room = (LINE_LARGE if large else LINE) - len(more)
    return (text if len(text) <= room else text[: room - 1] + "…") + more


def drawn_phrase(lines: tuple[DrawLine, ...]) -> str:
    statuses = {d.status for d in lines}
    if "won" in statuses:
        return "enrol_won"
    if "waitlisted" in statuses:
        return "enrol_waitlisted"
    return "enrol_not_won" if lines else ""
