"""A demo enrolment season, published to this kiosk as the bureau would publish it (season: and
course: items through kiosk.sync.apply): for the screenshot tour, the UI scenarios and the bench.
Never run on a real site's data by the kiosk itself."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from peewee import fn

from kiosk.store.db import write
from kiosk.store.models import Pulled
from kiosk.sync import apply
from kiosk.sync.apply import Here

# key, title, category, teacher, room, weekday, start, end, age_min, age_max
COURSES = [
    ("e1", "书法（一）班", "书法", "张老师", "三楼书画室", 2, "09:00", "11:00", None, None),
    ("e2", "太极拳（二）班", "太极", "李老师", "一楼大厅", 3, "08:30", "10:00", 60, 75),
    ("e3", "国画（一）班", "国画", "王老师", "三楼书画室", 4, "14:00", "16:00", 65, None),
    ("e4", "合唱（一）班", "声乐", "赵老师", "二楼排练厅", 1, "09:30", "11:30", None, None),
    ("e5", "智能手机（一）班", "电脑", "周老师", "二楼电脑室", 5, "09:00", "10:30", None, 85),
    ("e6", "书法（二）班", "书法", "张老师", "三楼书画室", 4, "09:00", "11:00", None, None),
    ("e7", "国画（二）班", "国画", "王老师", "三楼书画室", 2, "14:00", "16:00", None, None),
    ("e8", "太极剑班", "太极", "李老师", "一楼大厅", 5, "14:30", "16:00", 60, None),
]


def publish(settings: SimpleNamespace, now: datetime, courses: int = 5, key: str = "demo") -> None:
    """An open season (opened yesterday, closing in a week, the draw two days later) with the first
    `courses` demo courses in a term starting in two months; run again, it is published anew."""
    term_start = (now + timedelta(days=60)).date()
    term = {
        "name": f"{term_start.year}年新学期",
        "start": term_start.isoformat(),
        "end": (term_start + timedelta(days=120)).isoformat(),
    }
    here = Here(settings.site.code, settings.kiosk.id, now)
    items = [
        (
            f"course:{k}",
            {
                "kind": "course",
                "key": k,
                "title": title,
                "category": category,
                "teacher": teacher,
                "room": room,
                "capacity": 30,
                "term": term,
                "schedule": [{"weekday": wd, "start": s, "end": e}],
                "age_min": low,
                "age_max": high,
            },
        )
        for k, title, category, teacher, room, wd, s, e, low, high in COURSES[:courses]
    ]
    closes = datetime.combine(now.date() + timedelta(days=7), datetime.min.time()) + timedelta(hours=17)
    items.append(
        (
            f"season:{key}",
            {
                "kind": "season",
                "key": key,
                "title": f"{term_start.year}新学期报名",
                "term": term["name"],
                "opens": (now - timedelta(days=1)).isoformat(),
                "closes": closes.isoformat(),
                "draw_at": (closes + timedelta(days=2)).replace(hour=10).isoformat(),
                "max_courses": 2,
                "members_only": False,
                "returning_first": True,
                "older_first": 75,
                "drawn": False,
                "courses": [k for k, *_ in COURSES[:courses]],
            },
        )
    )
    with write():
        # Newer than anything held: a publish within seconds of the last one (or after a clock
        # step back) must not be refused as old.
        held = Pulled.select(fn.MAX(Pulled.rev)).where(Pulled.stream == "items").scalar() or 0
        rev = max(int(now.timestamp()), held + 1)
        for n, (entity, data) in enumerate(items):
            apply.item("items", {"rev": rev + n, "id": entity, "op": "put", "data": data, "crc": 0}, here)


def term_start(now: datetime) -> date:
    return (now + timedelta(days=60)).date()
