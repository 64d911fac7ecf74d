"""A small bureau placed in a hierarchy, with figures known by construction: one city, two
districts, three streets and five sites, their members, sign-ins this year and last, courses with
enrollments and a waitlist.  The tests of the hierarchy, the figures and the charts share it."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bureau import admin, daily
from bureau.models import Attendance, Course, Enrollment, Member, Site, Term
from bureau.programme import hierarchy
from bureau.store import write

ADMIN = "tests"
# site: (name, kind, where, members as (birth_year, gender) ...)
SITES = {
    "DEMO-001": ("和平里老干部活动中心", "center", "和平街道"),
    "DEMO-002": ("安定门教学点", "point", "安定门街道"),
    "DEMO-003": ("金融街老干部活动中心", "center", "金融街街道"),
    "DEMO-004": ("西城区老年大学分校", "branch", "西城区"),
    "DEMO-005": ("示范市老年大学", "university", "示范市"),
}
MEMBERS = {  # per site: the members' (birth year, gender); None: unknown
    "DEMO-001": [(1950, "男"), (1948, "女"), (1962, "女"), (1940, "男")],
    "DEMO-002": [(1958, "女"), (1955, "女")],
    "DEMO-003": [(1945, "男"), (1970, "女"), (1933, "女")],
    "DEMO-004": [(1952, "男"), (None, "女")],
    "DEMO-005": [(1960, "男"), (1961, "女"), (1949, "女"), (1956, "")],
}
# per site: (course, capacity, enrolled, waitlisted)
COURSES = {
    "DEMO-001": [("太极拳", 20, 20, 5), ("书法", 10, 6, 0)],
    "DEMO-002": [("合唱团", 0, 12, 0)],
    "DEMO-003": [("智能手机", 15, 15, 3), ("国画", 10, 4, 0)],
    "DEMO-005": [("摄影", 30, 24, 0)],
}


@dataclass
class Demo:
    today: date
    regions: dict[str, int]  # name -> id
    sites: dict[str, Site]
    member_numbers: dict[str, list[str]]
    signins_month: dict[str, int]
    signins_week: dict[str, int]  # this week (Monday to today)
    signins_last_year_week: dict[str, int]  # the same week 52 weeks before
    active: dict[str, int]


def build(today: date | None = None) -> Demo:
    today = today or date.today()
    city = hierarchy.add_region(ADMIN, "示范市", "city")
    east = hierarchy.add_region(ADMIN, "东城区", "district", city.id)
    west = hierarchy.add_region(ADMIN, "西城区", "district", city.id)
    regions = {"示范市": city.id, "东城区": east.id, "西城区": west.id}
    for name, district in (("和平街道", east), ("安定门街道", east), ("金融街街道", west)):
        regions[name] = hierarchy.add_region(ADMIN, name, "street", district.id).id
    sites, numbers = {}, {}
    for n, (code, (name, kind, where)) in enumerate(SITES.items()):
        admin.add_site(code, name, prefix=f"D{chr(65 + n)}")
        admin.add_kiosk(code, "前台")
        sites[code] = hierarchy.place_site(ADMIN, code, regions[where], kind)
    with write():
        for code, people in MEMBERS.items():
            site = sites[code]
            numbers[code] = [f"{site.prefix}{i + 1:04d}" for i in range(len(people))]
            for no, (year, gender) in zip(numbers[code], people):
                Member.create(member_no=no, name=f"学员{no}", gender=gender, birth_year=year, site=site)
        for code, courses in COURSES.items():
            term = Term.create(
                site=sites[code], name="2026 秋季", start=today - timedelta(days=60), end=today + timedelta(days=60)
            )
            for title, capacity, enrolled, waiting in courses:
                course = Course.create(
                    key=uuid.uuid4().hex[:12], site=sites[code], term=term, title=title, capacity=capacity
                )
                for i in range(enrolled + waiting):
                    status = "enrolled" if i < enrolled else "waitlisted"
                    Enrollment.create(course=course, member_no=f"X{course.id}-{i}", status=status)
    month, week, last_week, active = {}, {}, {}, {}
    monday = today - timedelta(days=today.weekday())
    with write():
        for code, site in sites.items():
            kiosk = site.kiosks.get()
            # Member i signs in i+1 times today; the first also once 45 days ago (not active by that)
            # and the last twice 52 weeks ago.
            rows = []
            for i, no in enumerate(numbers[code][:3]):
                rows += [(no, today)] * (i + 1)
            rows.append((numbers[code][0], today - timedelta(days=45)))
            rows += [(numbers[code][-1], monday - timedelta(weeks=52))] * 2
            for no, day in rows:
                start = datetime.combine(day, datetime.min.time()).replace(hour=9)
                Attendance.create(
                    event_id=str(uuid.uuid4()),
                    member_no=no,
                    site=site,
                    kiosk=kiosk,
                    kind="lesson",
                    title="太极拳",
                    start=start,
                    at=start,
                    business_day=day,
                    method="qr",
                )
            month[code] = sum(1 for _, d in rows if d >= today.replace(day=1))
            week[code] = sum(1 for _, d in rows if d >= monday)
            last_week[code] = 2
            active[code] = min(3, len(numbers[code]))  # the first three signed in today
        daily.recount()  # the sign-ins went in around the rules, which count them a day a site
    return Demo(today, regions, sites, numbers, month, week, last_week, active)


def add_history(demo: Demo) -> int:
    """Two years of weekly lessons up to last week (so the active and monthly figures change: for
    the screenshots): fewer in the winter holidays and in August, more this year than last."""
    monday = demo.today - timedelta(days=demo.today.weekday())
    rows = []
    for n, (code, site) in enumerate(demo.sites.items()):
        kiosk = site.kiosks.get()
        for weeks_ago in range(1, 105):
            day = monday - timedelta(weeks=weeks_ago) + timedelta(days=n % 5)
            season = 0.4 if day.month in (1, 2) else 0.6 if day.month == 8 else 1.0
            growth = (1.25 if weeks_ago < 52 else 1.0) * (0.9 + 0.05 * ((weeks_ago * 7 + n) % 5))
            for i in range(round((6 + 3 * n) * season * growth)):
                no = demo.member_numbers[code][i % len(demo.member_numbers[code])]
                start = datetime.combine(day, datetime.min.time()).replace(hour=9 + i % 3)
                rows.append(
                    {
                        "event_id": str(uuid.uuid4()),
                        "member_no": no,
                        "site": site,
                        "kiosk": kiosk,
                        "kind": "lesson",
                        "title": "太极拳",
                        "start": start,
                        "at": start,
                        "business_day": day,
                        "method": "qr",
                    }
                )
    with write():
        for i in range(0, len(rows), 500):
            Attendance.insert_many(rows[i : i + 500]).execute()
        daily.recount()
    return len(rows)
