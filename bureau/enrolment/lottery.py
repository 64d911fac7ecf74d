"""The public draw (摇号): pure functions, no store, so that anyone can re-run it from the published
inputs (docs/enrolment.md 摇号 gives the same in words, precisely enough to re-implement it).

Inputs, all published before the draw:
  - the applicant list, frozen at closing: one line per eligible application,
    "<course key>,<member_no>,<group>\\n", the lines sorted by (course key, member_no) as text
    (Python's str order: by code point), UTF-8; its SHA-256 in hex is the applicants hash;
  - each course's places (its capacity less those already enrolled; a course with no capacity
    has no limit);
  - the numbers drawn in public on the day, written as their groups of digits joined by one space.
The seed is SHA-256(applicants hash + ":" + numbers) in hex.  In each course (key order), the
applicants sort by (group, SHA-256(seed + ":" + course key + ":" + member_no) in hex): a keyed
sort, so one applicant's place depends on their own key alone, never on who else applied.  The
first `places` win; the rest are waitlisted in that order.
"""

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DIGITS = re.compile(r"\d+")
HEADER = ("course", "member_no", "group")
CAPACITY_HEADER = ("course", "places")


class DrawError(ValueError):
    """Inputs the draw cannot use (the message says which, in Chinese)."""


@dataclass(frozen=True, order=True)
class Entry:
    """One eligible application as the draw takes it: `group` 0 draws first (returning students
    when the season says so), then 1."""

    course: str
    member_no: str
    group: int = 0


@dataclass(frozen=True)
class Placing:
    """An applicant's place in a course's draw order (rank from 1)."""

    course: str
    member_no: str
    group: int
    rank: int
    won: bool
    waitlist_position: int | None  # 1 for the first waitlisted; None for a winner


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def applicants_text(entries: Iterable[Entry]) -> str:
    """The canonical applicant list the hash is taken of."""
    rows = sorted({(e.course, e.member_no): e.group for e in entries}.items())  # one line a pair
    return "".join(f"{course},{member},{group}\n" for (course, member), group in rows)


def applicants_hash(entries: Iterable[Entry]) -> str:
    return sha256(applicants_text(entries))


def numbers(text: str) -> str:
    """The public numbers as the seed takes them: their groups of digits joined by one space
    ("07, 23；11 " → "07 23 11"); DrawError when there is none."""
    groups = DIGITS.findall(text or "")
    if not groups:
        raise DrawError("请填写当众摇出的号码（数字）。")
    joined = " ".join(groups)
    if len(joined) > 64:
        raise DrawError("号码太长了：最多 64 个字符。")
    return joined


def seed(applicants: str, public_numbers: str) -> str:
    return sha256(f"{applicants}:{numbers(public_numbers)}")


def draw_key(seed_hex: str, course: str, member_no: str) -> str:
    return sha256(f"{seed_hex}:{course}:{member_no}")


def draw(entries: Iterable[Entry], places: Mapping[str, int], seed_hex: str) -> list[Placing]:
    """Every applicant's place, course by course in key order.  `places` by course key (a course
    not named has no limit: everyone wins, still ranked)."""
    by_course: dict[str, dict[str, int]] = {}
    for e in entries:
        by_course.setdefault(e.course, {})[e.member_no] = e.group
    placings = []
    for course in sorted(by_course):
        applicants = by_course[course]
        order = sorted(applicants, key=lambda m: (applicants[m], draw_key(seed_hex, course, m)))
        cut = places.get(course, len(order))
        for rank, member in enumerate(order, 1):
            won = rank <= cut
            placings.append(Placing(course, member, applicants[member], rank, won, None if won else rank - cut))
    return placings


def order_hash(placings: Iterable[Placing]) -> str:
    """A digest of a whole result (every course's order and cut), to compare two runs."""
    return sha256("".join(f"{p.course},{p.member_no},{p.rank},{int(p.won)}\n" for p in placings))


# --- the published files ------------------------------------------------------------------------------


def applicants_csv(entries: Iterable[Entry]) -> str:
    """The applicant list as the console exports it: a header line, then the canonical lines."""
    return ",".join(HEADER) + "\n" + applicants_text(entries)


def read_applicants(text: str) -> list[Entry]:
    """An exported applicant list (CSV with the header course,member_no,group; group 0 if absent)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or [c.strip() for c in rows[0][:2]] != list(HEADER[:2]):
        raise DrawError("名单文件的第一行应为 course,member_no,group。")
    found = []
    for n, row in enumerate(rows[1:], 2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise DrawError(f"名单第 {n} 行不完整：{','.join(row)}")
        group = row[2].strip() if len(row) > 2 else "0"
        if not group.isdigit():
            raise DrawError(f"名单第 {n} 行的 group 应为整数：{group}")
        found.append(Entry(row[0].strip(), row[1].strip(), int(group)))
    return found


def places_csv(places: Mapping[str, int | None]) -> str:
    """The places of each course (an empty field: no limit)."""
    lines = "".join(f"{c},{'' if n is None else n}\n" for c, n in sorted(places.items()))
    return ",".join(CAPACITY_HEADER) + "\n" + lines


def read_places(text: str) -> dict[str, int]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or [c.strip() for c in rows[0][:2]] != list(CAPACITY_HEADER):
        raise DrawError("名额文件的第一行应为 course,places。")
    found = {}
    for n, row in enumerate(rows[1:], 2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2 or not (row[1].strip().isdigit() or not row[1].strip()):
            raise DrawError(f"名额文件第 {n} 行不对：{','.join(row)}")
        if row[1].strip():  # empty: no limit
            found[row[0].strip()] = int(row[1])
    return found
