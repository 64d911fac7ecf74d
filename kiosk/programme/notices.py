"""Notices (通知, 停课, 调课) the bureau published for this kiosk: those in force now, for the attract
and home screens, and which of them the voice has yet to announce.

The bureau sends only this site's notices and those for every site (the items stream's scope), so
every row of table `notice` is this kiosk's.  A notice is in force from its start (included) to its
end (excluded).  The voice announces each notice once, the first time a screen shows it; spoken_at
keeps that across restarts, so it is never said again.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from peewee import PeeweeException

from kiosk.i18n import t
from kiosk.store.db import write
from kiosk.store.models import Notice

log = logging.getLogger(__name__)

KINDS = ("notice", "suspend", "move")  # bureau.programme.notices.KINDS: 通知, 停课, 调课


@dataclass(frozen=True)
class NoticeView:
    key: str
    kind: str  # one of KINDS ("notice" for a kind this kiosk does not know)
    label: str  # 「通知」「停课」「调课」, from the message catalog
    title: str
    body: str
    start: datetime
    end: datetime
    spoken: bool  # the voice has announced it already

    @property
    def phrase(self) -> str:
        """The voice's phrase announcing it (screens/support/voice.py PHRASES): its kind, never its words."""
        return f"notice_{self.kind}"


def current(now: datetime) -> list[NoticeView]:
    """The notices in force at `now`, the earliest started first."""
    rows = Notice.select().where((Notice.start <= now) & (Notice.end > now)).order_by(Notice.start, Notice.id)
    return [_view(row) for row in rows]


def unspoken(shown: list[NoticeView]) -> list[NoticeView]:
    """Of the notices a screen shows, those the voice has not announced yet."""
    return [n for n in shown if not n.spoken]


def mark_spoken(keys: list[str], at: datetime) -> int:
    """Remember that the voice announced these notices; returns how many were not marked before."""
    if not keys:
        return 0
    with write():
        return Notice.update(spoken_at=at).where(Notice.key.in_(keys) & Notice.spoken_at.is_null()).execute()


def first_showing(notice: NoticeView, at: datetime) -> bool:
    """Whether this is the first time a screen shows `notice` (it is marked as announced now): the
    voice announces it only then.  False too when the mark cannot be written: better silent than
    announced again at every turn of the screen."""
    if notice.spoken:
        return False
    try:
        return mark_spoken([notice.key], at) == 1
    except PeeweeException as e:
        log.warning("notice %s not marked as announced: %s", notice.key, e)
        return False


def _view(row: Notice) -> NoticeView:
    kind = row.kind if row.kind in KINDS else "notice"
    return NoticeView(
        key=row.key,
        kind=kind,
        label=t(f"notice.kind.{kind}"),
        title=row.title,
        body=row.body,
        start=row.start,
        end=row.end,
        spoken=row.spoken_at is not None,
    )
