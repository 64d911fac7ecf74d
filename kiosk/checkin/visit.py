"""A card read and everything the screens need of it, in one call: what the read means
(kiosk.checkin.signin), whose card it was with their own preferences (large type, voice), and the
good news to tell them once (a place from a waitlist) — docs/design.md §4.8, §8.2-§8.3.

Sign-in screens ask Reception.sign_in; the seniors' own screens (我的积分, 近期活动, 我的课程,
大字与声音) and staff mode ask Reception.identify, which names the senior without signing in.
Nothing here raises: a failure is an "error" Result, or a Visit without the part that failed.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace

from kiosk.checkin.signin import CheckIn, Result
from kiosk.enrolment import results, seasons
from kiosk.enrolment.results import DrawLine
from kiosk.enrolment.seasons import SeasonView
from kiosk.identity import ids
from kiosk.identity.credentials import Credential
from kiosk.programme import activities
from kiosk.programme.activities import Notice
from kiosk.programme.schedule import Item
from kiosk.store import facts
from kiosk.store.db import get_by, write
from kiosk.store.models import Member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Senior:
    member_no: str
    name: str  # as the public screen shows it: masked unless display.mask_names is false
    large_text: bool
    voice: bool


@dataclass(frozen=True)
class Visit:
    result: Result | None  # what the read means; None when it only named the senior
    senior: Senior | None = None  # whose card it was, with their preferences
    news: tuple[Notice, ...] = ()  # places they got from a waitlist, told this once
    drawn: tuple[DrawLine, ...] = ()  # an enrolment season's draw: their result, told this once
    season: SeasonView | None = None  # the enrolment season open now: 「报名选课」 is offered


class Reception:
    """The kiosk's front desk: a read in, a Visit out."""

    def __init__(self, settings: SimpleNamespace):
        self.settings = settings
        self.checkin = CheckIn(settings)
        self.mask = settings.display.mask_names

    def prepare(self, cred: Credential) -> None:
        """Start what a read needs before it is decided (an ID card's id_hash), while the screen
        acknowledges it."""
        self.checkin.prepare(cred)

    def sign_in(self, cred: Credential, now: datetime) -> Visit:
        """Sign the card's holder in to what is due (or say why not).  A repeated read of the same
        card changes nothing: its Visit says so (result.repeat) and carries nothing else."""
        return self._visit(self.checkin.handle(cred, now), now)

    def choose(self, member_no: str, item: Item, method: str, now: datetime) -> Visit:
        """Sign in to the item the senior picked on the choice screen."""
        return self._visit(self.checkin.choose(member_no, item, method, now), now)

    def identify(self, cred: Credential, now: datetime) -> Visit:
        """Whose card this is, without signing in: the senior and their news, or the Result that
        says why not (unknown, expired …)."""
        try:
            member = self.checkin.identify(cred, now)
        except Exception:
            log.exception("identification failed")
            return Visit(Result("error", detail="internal error", method=cred.method))
        if isinstance(member, Result):
            return Visit(replace(member, method=cred.method))
        return Visit(
            None, senior_of(member, self.mask), self._news(member.member_no, now), *self._season(member.member_no, now)
        )

    def set_prefs(
        self, senior: Senior, now: datetime, *, large_text: bool | None = None, voice: bool | None = None
    ) -> Senior:
        """Keep the senior's choice on the member (and tell the bureau, so it follows them to
        every site)."""
        with write():
            member = get_by(Member, "member_no", senior.member_no)
            if member is None:
                raise KeyError(senior.member_no)
            if large_text is not None:
                member.large_text = large_text
            if voice is not None:
                member.voice = voice
            member.save(only=[Member.large_text, Member.voice])
            facts.record(
                "member_prefs",
                facts.new_event_id(),
                {
                    "member_no": member.member_no,
                    "large_text": member.large_text,
                    "voice": member.voice,
                    "at": now.isoformat(),
                    "kiosk_id": self.settings.kiosk.id,
                    "site": self.settings.site.code,
                },
                now,
            )
        return replace(senior, large_text=member.large_text, voice=member.voice)

    def _visit(self, result: Result, now: datetime) -> Visit:
        if result.repeat or not result.member_no:
            return Visit(result)
        try:
            member = get_by(Member, "member_no", result.member_no)
        except Exception:  # the result stands; the senior's own type size may wait
            log.exception("could not read the preferences of %s", result.member_no)
            return Visit(result)
        senior = senior_of(member, self.mask) if member else None
        if senior is None:
            return Visit(result)
        return Visit(result, senior, self._news(result.member_no, now), *self._season(result.member_no, now))

    def _news(self, member_no: str, now: datetime) -> tuple[Notice, ...]:
        try:
            return tuple(activities.take_notices(member_no, now))
        except Exception:
            log.exception("could not read the notices of %s", member_no)
            return ()

    def _season(self, member_no: str, now: datetime) -> tuple[tuple[DrawLine, ...], SeasonView | None]:
        """The draw's result not told yet, and the enrolment season open now (issue 23)."""
        try:
            return results.take(member_no, now), seasons.open_season(now)
        except Exception:
            log.exception("could not read the enrolment season of %s", member_no)
            return (), None


def senior_of(member: Member, mask: bool) -> Senior:
    name = ids.mask_name(member.name) if mask else member.name
    return Senior(member.member_no, name, member.large_text, member.voice)
