"""Members as the console finds and shows them: search by pinyin initials, name, member number or
the phone's last 4 digits, and a member's record (attendance, courses, signups, passbook).

Member.initials is written where the rules write members (bureau/rules/rounds.py), and for the
members before it by the data step of version 6 (bureau/migrations/steps.py).
"""

import os
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from peewee import ModelSelect

from bureau.models import Attendance, LedgerEntry, Member, Signup

LIMIT = 50  # rows a search shows: staff narrow it by typing more
_LETTERS = re.compile(r"[A-Za-z]+")


@cache
def _pypinyin() -> ModuleType:
    # Loaded on first use, without pypinyin's 47,000 phrases (~45 MB for good, as the kiosk found):
    # a name's initials are its characters' own readings.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    import pypinyin

    return pypinyin


def initials(name: str) -> str:
    """The upper-case pinyin initials of a name (王建华 → WJH); characters without pinyin are left out."""
    module = _pypinyin()
    letters = module.lazy_pinyin(name, style=module.Style.FIRST_LETTER, errors="ignore")
    return "".join(x[0] for x in letters if x and x[0].isascii() and x[0].isalpha()).upper()[:32]


def search(members: ModelSelect, query: str, limit: int = LIMIT) -> list[Member]:
    """The members of `members` (already scoped to the viewer's sites) matching what staff typed:
    4 digits → the phone's last 4 or a number ending in them; letters → initials starting with
    them or a member number starting with them; else part of the name or the number."""
    query = query.strip()
    if not query:
        return []
    if query.isdigit() and len(query) == 4:
        found = members.where((Member.phone_last4 == query) | Member.member_no.endswith(query))
    elif _LETTERS.fullmatch(query):
        found = members.where(Member.initials.startswith(query.upper()) | Member.member_no.startswith(query.upper()))
    else:
        found = members.where(Member.name.contains(query) | Member.member_no.contains(query.upper()))
    return list(found.where(Member.merged_into.is_null()).order_by(Member.member_no).limit(limit))


@dataclass(frozen=True)
class Record:
    """What the console shows of one member."""

    attendance: list[Attendance]
    signups: list[Signup]
    passbook: list[LedgerEntry]


def record(member: Member, limit: int = 200) -> Record:
    """The member's newest sign-ins, activity signups and points entries (their courses: classes.courses_of)."""
    no = member.member_no
    return Record(
        attendance=list(
            Attendance.select().where(Attendance.member_no == no).order_by(Attendance.at.desc()).limit(limit)
        ),
        signups=list(Signup.select().where(Signup.member_no == no).order_by(Signup.start.desc()).limit(limit)),
        passbook=list(
            LedgerEntry.select().where(LedgerEntry.member_no == no).order_by(LedgerEntry.id.desc()).limit(limit)
        ),
    )
