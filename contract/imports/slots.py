"""A weekly schedule as staff write it in a spreadsheet: 「周二 09:00-11:00；周四 14:00-16:00」,
read into slots {"weekday": 1..7 (Monday = 1), "start": "HH:MM", "end": "HH:MM"}."""

import re
from datetime import datetime
from typing import Any

_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, **{str(n): n for n in range(1, 8)}}
_SLOT = re.compile(
    r"^(?:周|星期|礼拜)?([一二三四五六日天1-7])\s*(\d{1,2}:\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2}:\d{2})$"
)
_SEPARATORS = re.compile(r"[；;，,、/\n]+")


class SlotError(ValueError):
    """A weekly schedule that cannot be used; .key names the message, .values fill it in."""

    def __init__(self, key: str, **values: Any):
        super().__init__(key)
        self.key, self.values = key, values


def parse_slots(text: str) -> list[dict]:
    """「周二 09:00-11:00；周四 14:00-16:00」 → [{"weekday": 2, "start": "09:00", "end": "11:00"}, …]."""
    slots = []
    for part in _SEPARATORS.split(text.strip()):
        part = part.strip().replace("：", ":")
        if not part:
            continue
        m = _SLOT.match(part)
        if not m:
            raise SlotError("schedule.unreadable", part=part)
        start, end = _hhmm(m.group(2), part), _hhmm(m.group(3), part)
        slots.append({"weekday": _DAYS[m.group(1)], "start": start, "end": end})
    check_slots(slots)
    return slots


def check_slots(slots: list[dict]) -> None:
    """SlotError unless every slot is a weekday 1-7 with start < end and no two slots overlap."""
    if not slots:
        raise SlotError("schedule.empty")
    for slot in slots:
        if slot["weekday"] not in range(1, 8) or not slot["start"] < slot["end"]:
            raise SlotError("schedule.backwards", slot=format_slots([slot]))
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if slots_overlap(a, b):
                raise SlotError("schedule.self_overlap", a=format_slots([a]), b=format_slots([b]))


def slots_overlap(a: dict, b: dict) -> bool:
    return a["weekday"] == b["weekday"] and a["start"] < b["end"] and b["start"] < a["end"]


def format_slots(slots: list[dict]) -> str:
    """[{"weekday": 2, …}] → 「周二 09:00-11:00」, the form parse_slots reads."""
    return "；".join(f"周{'一二三四五六日'[s['weekday'] - 1]} {s['start']}-{s['end']}" for s in slots)


def _hhmm(text: str, part: str) -> str:
    try:
        return datetime.strptime(text, "%H:%M").strftime("%H:%M")
    except ValueError:
        raise SlotError("schedule.unreadable", part=part) from None
