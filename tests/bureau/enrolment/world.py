"""A site with last term's and next term's courses, members, and a season of next term: what the
enrolment tests share."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bureau import admin
from bureau.enrolment import seasons
from bureau.models import Course, Member, Season, Site, StreamRow, Term
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.store import write

A, B = "DEMO-001", "DEMO-002"
NOW = datetime(2027, 1, 10, 9, 0)
FIRST_DAY = date(2027, 3, 1)  # the season's term starts; ages are taken on this day
WEEKLY = (classes.slot("1 09:00-11:00"),)


@dataclass
class World:
    a: Site
    b: Site
    last: Term
    term: Term
    season: Season
    calligraphy: Course  # 书法: 2 places, taught last term too
    choir: Course  # 合唱: no limit
    yoga: Course  # 瑜伽: 55 to 70 years on the first day, 1 place
    members: list[Member]


def build(sites: bool = True, members: int = 6) -> World:
    a = admin.add_site(A, "甲站老年大学", prefix="XC") if sites else Site.get(Site.code == A)
    b = admin.add_site(B, "乙站长者服务站", prefix="DC") if sites else Site.get(Site.code == B)
    people = [
        Member.create(member_no=f"XC{n:04d}", name=name, site=a)
        for n, name in enumerate(["王建华", "李秀英", "张伟", "欧阳建国", "陈静", "刘洋", "赵敏", "孙丽"][:members], 1)
    ]
    with write():
        last = classes.save_term(a, "2026 秋季", date(2026, 9, 1), date(2027, 1, 15), "staff-a")
        old = classes.save_course(a, last, CourseFields("书法", capacity=10, schedule=WEEKLY), "staff-a")
        classes.enroll(old, people[4], "staff-a", NOW - timedelta(days=100))  # 陈静 learnt 书法 last term
        term = classes.save_term(a, "2027 春季", FIRST_DAY, date(2027, 6, 30), "staff-a")
        calligraphy = classes.save_course(a, term, CourseFields("书法", schedule=WEEKLY), "staff-a")
        choir = classes.save_course(a, term, CourseFields("合唱", schedule=WEEKLY), "staff-a")
        yoga = classes.save_course(a, term, CourseFields("瑜伽", schedule=WEEKLY), "staff-a")
        fields = seasons.Fields("2027 春季报名", NOW, NOW + timedelta(days=7), NOW + timedelta(days=8), max_courses=2)
        season = seasons.open_season(a, term, fields, "staff-a", NOW - timedelta(hours=1))
        seasons.offer(season, calligraphy, 2, None, None, "staff-a", NOW)
        seasons.offer(season, choir, 0, None, None, "staff-a", NOW)
        seasons.offer(season, yoga, 1, 55, 70, "staff-a", NOW)
    refresh = Course.get_by_id
    return World(
        a,
        b,
        last,
        term,
        Season.get_by_id(season.id),
        refresh(calligraphy.id),
        refresh(choir.id),
        refresh(yoga.id),
        people,
    )


def item(entity: str) -> dict | None:
    """A published item's value (None: deleted, or never published)."""
    row = StreamRow.get_or_none(StreamRow.stream == "items", StreamRow.entity_id == entity)
    return None if row is None or row.deleted else json.loads(row.data)


def scope_of(entity: str) -> str:
    return StreamRow.get(StreamRow.stream == "items", StreamRow.entity_id == entity).scope
