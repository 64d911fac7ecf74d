"""The audit trail: every change staff make, who, when, what and why (docs/design.md §9.5).

Each entry is written in the same transaction as the change it describes, and is also an
"audit" outbox fact, so the bureau receives the trail with the data.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from kiosk.store import facts
from kiosk.store.db import insert
from kiosk.store.models import Audit, Staff

CLI = "命令行"  # the staff name of changes made with `python main.py …` by an operator


@dataclass(frozen=True)
class Actor:
    """Who is acting, and on which kiosk: every staff function takes one."""

    staff: Staff | None
    kiosk_id: str
    site: str

    @classmethod
    def of(cls, staff: Staff | None, settings: SimpleNamespace) -> "Actor":
        return cls(staff, settings.kiosk.id, settings.site.code)

    @property
    def name(self) -> str:
        return self.staff.name if self.staff else CLI

    @property
    def role(self) -> str:
        """ "admin" or "staff"; the command line may do everything (kiosk.staff.access.require)."""
        return self.staff.role if self.staff else "admin"

    @property
    def staff_id(self) -> int | None:
        return self.staff.id if self.staff else None

    def origin(self) -> dict:
        """The fields every fact a staff member causes carries."""
        return {"kiosk_id": self.kiosk_id, "site": self.site, "staff": self.name, "staff_id": self.staff_id}


def record(actor: Actor, action: str, target: str, now: datetime, reason: str = "", **detail) -> str:
    """Append an audit entry; call inside db.write() so it commits with the change.  Returns its
    event id."""
    event_id = facts.new_event_id()
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    insert(
        Audit,
        event_id=event_id,
        at=now,
        staff=actor.staff_id,
        staff_name=actor.name,
        action=action,
        target=target,
        reason=reason,
        detail=text,
    )
    facts.record(
        "audit",
        event_id,
        {
            "action": action,
            "target": target,
            "reason": reason,
            "detail": json.loads(text),
            "at": now.isoformat(),
            **actor.origin(),
        },
        now,
    )
    return event_id


def count() -> int:
    return Audit.select().count()


@dataclass(frozen=True)
class Entry:
    """One line of the trail as staff read it."""

    at: datetime
    staff_name: str
    action: str
    target: str
    reason: str
    detail: dict


def recent(limit: int = 50, offset: int = 0) -> list[Entry]:
    """The newest entries first."""
    return [
        Entry(a.at, a.staff_name, a.action, a.target, a.reason, json.loads(a.detail))
        for a in Audit.select().order_by(Audit.at.desc(), Audit.id.desc()).offset(offset).limit(limit)
    ]
