"""The draw's result, told once (docs/design.md §4.8): at the senior's next card read after the
bureau published it (result:<season>:<member_no>), the screen shows it and the voice says it,
then the sign-in's own result.  Told is kept (`draw_result.told_at`), so never again, not after a
restart either; a result the bureau changes is news again (kiosk.sync.apply._result)."""

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from kiosk.store.db import write
from kiosk.store.models import DrawResult, Season

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrawLine:
    """One course of the member's result."""

    season: str
    course: str
    title: str
    status: str  # won, waitlisted, refused
    waitlist_position: int | None
    refusal: str


def take(member_no: str, now: datetime) -> tuple[DrawLine, ...]:
    """The results not told yet of seasons drawn (or no longer held), marked told now."""
    with write():
        rows = list(
            DrawResult.select()
            .where(DrawResult.member_no == member_no, DrawResult.told_at.is_null())
            .order_by(DrawResult.season)
        )
        undrawn = {
            s.key for s in Season.select(Season.key).where(~Season.drawn, Season.key.in_([r.season for r in rows]))
        }
        rows = [r for r in rows if r.season not in undrawn]
        if not rows:
            return ()
        DrawResult.update(told_at=now).where(DrawResult.id.in_([r.id for r in rows])).execute()
    lines = tuple(
        DrawLine(r.season, c["course"], c["title"], c["status"], c.get("waitlist_position"), c.get("refusal") or "")
        for r in rows
        for c in json.loads(r.courses)
    )
    log.info("told %s the result of %d course(s)", member_no, len(lines))
    return lines
