"""The enrolment draw (docs/enrolment.md 性能): 5,000 applicants for 300 courses drawn by
bureau/enrolment/lottery.py twice, target ≤ 2 s each and bit-identical (the SHA-256 of the whole
order compared); and the whole draw through a SQLite store: the list fixed (eligibility, groups,
hash), the draw filed (applications, rosters, enrollment and result items, the season).

    python -m bench lottery
"""

import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import Figure

APPLICANTS, COURSES, SEED = 5_000, 300, 23
TARGET_S = 2.0


def inputs() -> tuple[list, dict[str, int]]:
    """Applications of 3,000 members for up to 2 courses each, 5,000 in all; a course's places
    between 5 and 25, so most are drawn; a third of them returning students."""
    from bureau.enrolment.lottery import Entry

    rnd = random.Random(SEED)
    courses = [f"course{n:03d}" for n in range(COURSES)]
    entries: dict[tuple[str, str], Entry] = {}
    while len(entries) < APPLICANTS:
        member, course = f"XC{rnd.randrange(3_000):05d}", rnd.choice(courses)
        entries[course, member] = Entry(course, member, 0 if rnd.random() < 0.3 else 1)
    return list(entries.values()), {c: rnd.randrange(5, 26) for c in courses}


def pure() -> list[Figure]:
    from bureau.enrolment import lottery

    entries, places = inputs()
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        hashed = lottery.applicants_hash(entries)
        placings = lottery.draw(entries, places, lottery.seed(hashed, "07 23 11 35 02"))
        runs.append((time.perf_counter() - started, lottery.order_hash(placings)))
    (first, one), (second, two) = runs
    print(f"draw of {APPLICANTS:,} applicants for {COURSES} courses: {first:.3f} s, then {second:.3f} s")
    print(f"order hash: {one}\n            {two}  ({'identical' if one == two else 'DIFFERENT'})")
    return [
        Figure("lottery draw, first run", f"{first:.3f} s", f"≤ {TARGET_S} s", first <= TARGET_S),
        Figure("lottery draw, second run", f"{second:.3f} s", f"≤ {TARGET_S} s", second <= TARGET_S),
        Figure("lottery re-run bit-identical", "yes" if one == two else "no", "identical", one == two),
    ]


def through_store() -> list[Figure]:
    """The same draw through a SQLite store, timed: freeze, then draw with its filing and items."""
    from bureau import admin
    from bureau.enrolment import results, seasons
    from bureau.models import Application, Course, Member, SeasonCourse, Site
    from bureau.programme import classes
    from bureau.rules import sql
    from bureau.schema import open_store
    from bureau.store import close_store, write

    entries, places = inputs()
    with tempfile.TemporaryDirectory() as folder:
        open_store(f"sqlite:///{Path(folder) / 'bureau.db'}")
        try:
            site = admin.add_site("BENCH-01", "摇号测试站", prefix="XC")
            now = datetime(2027, 1, 10, 9, 0)
            with write():
                term = classes.save_term(site, "2027 春季", date(2027, 3, 1), date(2027, 6, 30), "bench")
                season = seasons.open_season(
                    site,
                    term,
                    seasons.Fields("春季报名", now, now + timedelta(days=7), now + timedelta(days=8)),
                    "bench",
                    now,
                )
                numbers = sorted({e.member_no for e in entries})
                for chunk in sql.chunks(numbers, 500):  # peewee fills the model's defaults
                    Member.insert_many([{"member_no": no, "name": "王建华", "site": site} for no in chunk]).execute()
                keys = {}
                for course, n in sorted(places.items()):
                    row = Course.create(key=course, site=site, term=term, title=course, capacity=n, schedule="[]")
                    keys[course] = row.id
                sql.insert(
                    SeasonCourse,
                    ("season_id", "course_id"),
                    [(season.id, course_id) for course_id in keys.values()],
                )
                rows = [(season.id, keys[e.course], e.member_no, "applied", 0, True, now, "", "", "") for e in entries]
                columns = ("season_id", "course_id", "member_no", "status", "priority", "age_checked", "applied_at")
                sql.insert(Application, (*columns, "by", "reason", "refusal"), rows)
            started = time.perf_counter()
            with write():
                results.freeze(Site.get_by_id(site.id).seasons.get(), "bench", now + timedelta(days=7))
            frozen = time.perf_counter() - started
            started = time.perf_counter()
            with write():
                drawn = results.draw(site.seasons.get(), "07 23 11 35 02", "bench", now + timedelta(days=8))
            filed = time.perf_counter() - started
            won = sum(1 for p in drawn.placings if p.won)
        finally:
            close_store()
    print(
        f"through SQLite: list fixed in {frozen:.2f} s; draw filed ({won:,} enrolled, "
        f"{len(drawn.placings) - won:,} waitlisted, rosters and items) in {filed:.2f} s"
    )
    return [
        Figure("lottery list fixed (SQLite)", f"{frozen:.2f} s"),
        Figure("lottery draw filed with items (SQLite)", f"{filed:.2f} s"),
    ]


def run() -> list[Figure]:
    return pure() + through_store()


if __name__ == "__main__":
    for figure in run():
        print(figure)
