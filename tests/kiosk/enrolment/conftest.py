"""An enrolment season as the bureau publishes it, applied as a pull applies it (kiosk.sync.apply)."""

from datetime import date, datetime

import pytest

from kiosk.identity.credentials import Credential
from kiosk.store.db import write
from kiosk.sync import apply
from kiosk.sync.apply import Here

OPENS = datetime(2025, 6, 2, 8, 0)
CLOSES = datetime(2025, 6, 16, 17, 0)
DURING = datetime(2025, 6, 5, 10, 0)
TERM_START = date(2025, 9, 1)  # the new term's first day: ages are reckoned on it


def course(key: str, title: str, category: str = "书法", **fields) -> dict:
    return {
        "kind": "course",
        "key": key,
        "title": title,
        "category": category,
        "teacher": "张老师",
        "room": "三楼书画室",
        "capacity": 30,
        "term": {"name": "2025年秋季学期", "start": TERM_START.isoformat(), "end": "2026-01-11"},
        "schedule": [{"weekday": 2, "start": "09:00", "end": "11:00"}],
        **fields,
    }


def season(key: str = "s1", courses=("c1", "c2", "c3"), **fields) -> dict:
    return {
        "kind": "season",
        "key": key,
        "title": "2025 秋季报名",
        "term": "2025年秋季学期",
        "opens": OPENS.isoformat(),
        "closes": CLOSES.isoformat(),
        "draw_at": "2025-06-20T10:00:00",
        "max_courses": 2,
        "members_only": False,
        "returning_first": True,
        "drawn": False,
        "courses": list(courses),
        **fields,
    }


class Bureau:
    """Publishes items to the kiosk as its pull would apply them."""

    def __init__(self, settings):
        self.here = Here(settings.site.code, settings.kiosk.id, datetime(2025, 6, 1))
        self.rev = 0

    def put(self, entity: str, data: dict | None) -> bool:
        self.rev += 1
        entry = {"rev": self.rev, "id": entity, "op": "put" if data else "delete", "data": data, "crc": 0}
        with write():
            return apply.item("items", entry, self.here)


@pytest.fixture
def bureau(settings, database) -> Bureau:
    return Bureau(settings)


@pytest.fixture
def published(world, bureau):
    """Season s1 with 书法（一）班 (no age range), 太极（二）班 (60-75) and 国画（一）班 (65 and over)."""
    assert bureau.put("course:c1", course("c1", "书法（一）班"))
    assert bureau.put("course:c2", course("c2", "太极（二）班", "太极", age_min=60, age_max=75))
    assert bureau.put("course:c3", course("c3", "国画（一）班", "国画", age_min=65))
    assert bureau.put("season:s1", season())
    return bureau


def id_card(number: str, birth: date) -> Credential:
    return Credential(method="idcard", id_number=number, name="王建华", birth_date=birth, valid_to=date(2040, 1, 1))
