"""The audit trail: every change staff make, who, when, what and why (docs/design.md §9.5).

Each entry is written in the same transaction as the change it describes, and is also an
"audit" outbox fact, so the bureau receives the trail with the data.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from kiosk.i18n import label, t
from kiosk.store import facts
from kiosk.store.db import insert
from kiosk.store.models import Audit, Member, Staff

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
    event id.  An entry about a member keeps the member's name as it was then (`name`), so that
    the trail reads 「谢素珍 DM0146」 even after a rename."""
    event_id = facts.new_event_id()
    word, _, number = target.partition(" ")
    if word == "member" and "name" not in detail and (name := _member_names([number]).get(number)):
        detail["name"] = name
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

    @property
    def action_text(self) -> str:
        """「积分兑换」: the Chinese name of the action; the action itself when the catalog has none."""
        return label(f"staff.audit.action.{self.action}", self.action)

    @property
    def object_text(self) -> str:
        """What the action changed: 「学员 谢素珍 DM0146」, 「课次 太极拳班 3月10日 09:00」,
        「报表 关怀名单」; the target as recorded when its kind is unknown."""
        word, _, rest = self.target.partition(" ")
        d = self.detail
        if word not in TARGETS or not rest:
            return self.target
        if word == "member" and d.get("name"):
            rest = f"{d['name']} {rest}"
        elif word == "lesson" and d.get("course"):
            rest = " ".join(x for x in (d["course"], _when(d.get("before") or d.get("start"))) if x)
        elif word == "report":
            rest = label(f"staff.exports.report.{rest}", rest)
        return f"{t(f'staff.audit.target.{word}')} {rest}"

    @property
    def detail_text(self) -> str:
        """The action's particulars and its reason in a line: 「兑换 30 分：电饭煲」, 「书法（一）班，
        候补第 2 位」; only the reason for an action without particulars (and for rows written
        before they were kept)."""
        d = self.detail
        values = {k: v for k, v in d.items() if not isinstance(v, (dict, list))} | {"reason": self.reason}
        try:
            values.update(_DERIVED.get(self.action, _nothing)(d))
        except (KeyError, TypeError, ValueError):  # a row written before its particulars were kept
            pass
        said = _filled(label(f"staff.audit.detail.{self.action}", ""), values)
        if self.reason and self.reason not in said:
            said = t("staff.audit.with_reason", detail=said, reason=self.reason) if said else self.reason
        return said


TARGETS = ("member", "course", "lesson", "term", "staff", "file", "report")


def _nothing(detail: dict) -> dict:
    return {}


def _filled(text: str, values: dict) -> str:
    """`text` with the row's values; "" when the row lacks one (written before it was kept)."""
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return ""


def _when(value) -> str:
    """「3月10日 09:00」 of an ISO time as the trail keeps it; "" for none."""
    if not value:
        return ""
    at = datetime.fromisoformat(str(value))
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def _day(value) -> str:
    day = datetime.fromisoformat(str(value))
    return f"{day.month}月{day.day}日"


def _changed(of: str, pairs: dict) -> dict:
    """「人数上限 30 → 40」 of {field: (before, after)}, the fields named as those of `of`."""
    text = "；".join(
        t("staff.audit.change", field=label(f"staff.audit.field.{of}.{k}", k), before=_shown(a), after=_shown(b))
        for k, (a, b) in pairs.items()
    )
    return {"changes": text}


def _shown(value) -> str:
    if isinstance(value, bool):
        return t("staff.audit.yes") if value else t("staff.audit.no")
    if isinstance(value, list):  # a schedule
        return "；".join(f"周{'一二三四五六日'[s['weekday'] - 1]} {s['start']}-{s['end']}" for s in value)
    return str(value) if value not in ("", None) else "-"


# What some actions' lines need worked out of their detail first.
_DERIVED: dict[str, Callable[[dict], dict]] = {
    "signin.manual": lambda d: {"when": _when(d.get("start"))},
    "enrol.add": lambda d: {
        "status": t("staff.audit.waitlisted", position=d["position"]) if d.get("status") == "waitlisted" else ""
    },
    "enrol.withdraw": lambda d: {
        "promoted_text": t("staff.audit.promoted", member_no=d["promoted"]) if d.get("promoted") else ""
    },
    "points.redeem": lambda d: {"spent": -int(d["amount"])},
    "points.reverse": lambda d: {"signed": f"{int(d['amount']):+d}", "of": _day(d["at"])},
    "card.reissue": lambda d: {"issue": d["after"]["card_issue"]},
    "cards.print": lambda d: {"count": len(d["members"])},
    "export": lambda d: {"count": len(d["files"])},
    "lesson.move": lambda d: {"to": _when(d["after"])},
    "term.create": lambda d: {"from": _day(d["start"]), "to": _day(d["end"])},
    "holiday.add": lambda d: {"on": _day(d["day"])},
    "holiday.remove": lambda d: {"on": _day(d["day"])},
    "course.create": lambda d: {"times": _shown(d["slots"])},
    "course.edit": lambda d: _changed("course", d["changed"]),
    "member.update": lambda d: _changed("member", {k: (d["before"][k], d["after"][k]) for k in d["after"]}),
    "template": lambda d: {"which": label(f"templates.{d.get('kind')}.file", "")},
    "staff.add": lambda d: {"role_text": label(f"staff.audit.role.{d.get('role')}", d.get("role", ""))},
    "staff.locked": lambda d: {"until": f"{datetime.fromisoformat(d['until']):%H:%M}"},
}


def recent(limit: int = 50, offset: int = 0) -> list[Entry]:
    """The newest entries first.  A member's row written before names were kept is named from
    the member as they are now."""
    rows = list(Audit.select().order_by(Audit.at.desc(), Audit.id.desc()).offset(offset).limit(limit))
    details = [json.loads(a.detail) for a in rows]
    unnamed = [a.target.partition(" ")[2] for a, d in zip(rows, details) if _unnamed(a.target, d)]
    names = _member_names(unnamed)
    for a, d in zip(rows, details):
        if _unnamed(a.target, d) and names.get(a.target.partition(" ")[2]):
            d["name"] = names[a.target.partition(" ")[2]]
    return [Entry(a.at, a.staff_name, a.action, a.target, a.reason, d) for a, d in zip(rows, details)]


def _unnamed(target: str, detail: dict) -> bool:
    return target.startswith("member ") and not detail.get("name")


def _member_names(numbers: list[str]) -> dict[str, str]:
    if not numbers:
        return {}
    found = Member.select(Member.member_no, Member.name).where(Member.member_no.in_(numbers))
    return {m.member_no: m.name for m in found}
