"""The application slip (回执) printed after 报名 (kiosk.printing): the senior's applications of the
season, each with its day, time and room, the draw's date, and their QR card at the foot."""

from datetime import datetime
from types import SimpleNamespace

from kiosk.enrolment import seasons
from kiosk.i18n import t
from kiosk.identity import tokens
from kiosk.printing.slips import Slip, SlipLine
from kiosk.programme.schedule import weekly_slots
from kiosk.store.models import Member


def printing_on(settings: SimpleNamespace) -> bool:
    """Whether slips are printed: the printer helper's `[printer]` setting (off without it)."""
    printer = getattr(settings, "printer", None)
    return bool(printer is not None and getattr(printer, "enabled", False))


def when(slots) -> str:
    """每周二 09:00–11:00；每周四 14:00–16:00"""
    days = t("home.weekday")
    return t("season.slot_sep").join(
        t("season.slot", weekday=days[w - 1].removeprefix("星期"), start=s, end=e) for w, s, e in slots
    )


def application_slip(member_no: str, season_key: str, settings: SimpleNamespace, now: datetime) -> Slip | None:
    """The slip of the member's applications in the season as they stand now; None without any."""
    season = seasons.held(season_key)
    member = Member.get_or_none(Member.member_no == member_no)
    if season is None or member is None:
        return None
    mine = seasons.applied(member_no, season_key)
    lines = []
    for course in seasons.courses(season):
        if seasons.key_of(course) in mine:
            slots = tuple((s["weekday"], s["start"], s["end"]) for s in weekly_slots(course))
            lines.append(SlipLine(course.name, when(slots), course.room, t("season.slip_status")))
    if not lines:
        return None
    key = bytes.fromhex(settings.security.card_key)
    return Slip(
        title=t("season.slip_title", season=season.title),
        site=settings.site.name,
        name=member.name,
        member_no=member.member_no,
        card=tokens.make(member.member_no, member.card_issue, key),
        lines=tuple(lines),
        note=t("season.slip_note", date=t("points.date", month=season.draw_at.month, day=season.draw_at.day)),
        printed_at=now,
    )
