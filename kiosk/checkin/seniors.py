"""A senior identified at a self-service screen (我的积分, 近期活动, 我的课程, 大字与声音),
and their own preferences, applied from the moment their card is read (issue 4 §7)."""
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace

from kiosk.store import facts
from kiosk.identity import ids
from kiosk.checkin.signin import CheckIn, Result
from kiosk.identity.credentials import Credential
from kiosk.store.db import get_by, write
from kiosk.store.models import Member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Senior:
    member: Member
    name: str              # as the public screen shows it: masked unless display.mask_names is false
    large_text: bool
    voice: bool

    @property
    def member_no(self) -> str:
        return self.member.member_no


def identify(checkin: CheckIn, cred: Credential, now: datetime) -> Senior | Result:
    """The senior holding `cred`, or the Result that says why not (unknown, expired ...)."""
    try:
        member, problem = checkin.identify(cred, now)
    except Exception:
        log.exception("identification failed")
        return Result("error", detail="internal error", method=cred.method)
    if member is None:
        return replace(problem, method=cred.method)
    return senior(member, checkin.mask)


def find(member_no: str, mask: bool) -> Senior | None:
    """The senior a check-in Result names, for their preferences on the result screen."""
    member = get_by(Member, "member_no", member_no)
    return senior(member, mask) if member else None


def senior(member: Member, mask: bool) -> Senior:
    name = ids.mask_name(member.name) if mask else member.name
    return Senior(member, name, member.large_text, member.voice)


def set_prefs(who: Senior, settings: SimpleNamespace, now: datetime, *, large_text: bool | None = None,
              voice: bool | None = None) -> Senior:
    """Keep the senior's choice on the member (and tell the bureau, so it follows them to every site)."""
    member = who.member
    if large_text is not None:
        member.large_text = large_text
    if voice is not None:
        member.voice = voice
    event_id = facts.new_event_id()
    with write():
        member.save(only=[Member.large_text, Member.voice])
        facts.record("member_prefs", event_id, {
            "member_no": member.member_no, "large_text": member.large_text, "voice": member.voice,
            "at": now.isoformat(), "kiosk_id": settings.kiosk.id, "site": settings.site.code}, now)
    return replace(who, large_text=member.large_text, voice=member.voice)
