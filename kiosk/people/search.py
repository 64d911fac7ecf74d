"""Finding a senior for staff: by pinyin initials (王建华 → wjh), member number, or the last 4
digits of a phone number, typed on a keypad of letters and digits: no Chinese typing."""

import logging
import re
from dataclasses import dataclass

from kiosk import pinyin
from kiosk.collation import pinyin_key
from kiosk.store.db import db, write
from kiosk.store.models import Member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    member: Member
    matched_by: str  # "initials", "member_no" or "phone"


def initials(name: str) -> str:
    """The lower-case pinyin initials of a name; characters without pinyin are left out."""
    letters = pinyin.first_letters(name)
    return "".join(x[0] for x in letters if x and x[0].isascii() and x[0].isalpha()).lower()


def find(query: str, limit: int = 20) -> list[Hit]:
    """Active members matching what staff typed, best first, then by member number (names by
    initials: then by full pinyin):
    4 digits → the phone's last 4 digits, then member numbers ending in them; other digits →
    member numbers ending in them; letters → initials starting with them (exact ones first);
    letters and digits → member numbers starting with them (the exact one first)."""
    query = query.strip()
    if not _QUERY.fullmatch(query):
        return []
    if query.isdigit():
        hits = _hits(_PHONE, "phone", query, limit) if len(query) == 4 else []
        ends = _hits(_MEMBER_NO_ENDS, "member_no", f"*{query}", query, limit)
        seen = {h.member.id for h in hits}
        return (hits + [h for h in ends if h.member.id not in seen])[:limit]
    if query.isalpha():
        query = query.lower()
        hits = _hits(_INITIALS, "initials", f"{query}*", query, limit)
        # Exact initials first, then as a list of names is read: by full pinyin (谢素珍 before 徐…).
        return sorted(hits, key=lambda h: (h.member.initials != query, pinyin_key(h.member.name)))
    query = query.upper()
    return _hits(_MEMBER_NO, "member_no", f"{query}*", query, limit)


def _hits(sql: str, matched_by: str, *params) -> list[Hit]:
    return [Hit(m, matched_by) for m in Member.raw(sql, *params)]


_QUERY = re.compile(r"[A-Za-z0-9]+")
# GLOB, unlike LIKE, is case-sensitive, so SQLite turns a prefix pattern into a range of the
# (BINARY) index: initials are stored lower-case, member numbers upper-case.  A number's end
# cannot be found in the index; only the index is scanned (it covers id and member_no), not the
# table.  EXPLAIN QUERY PLAN is checked in tests/kiosk/test_search.py.
_PHONE = """
    SELECT * FROM member WHERE phone_last4 = ? AND active ORDER BY member_no LIMIT ?"""
_INITIALS = """
    SELECT * FROM member WHERE initials GLOB ? AND active ORDER BY initials <> ?, member_no LIMIT ?"""
_MEMBER_NO = """
    SELECT * FROM member WHERE member_no GLOB ? AND active ORDER BY member_no <> ?, member_no LIMIT ?"""
_MEMBER_NO_ENDS = """
    SELECT * FROM member WHERE id IN (SELECT id FROM member WHERE member_no GLOB ?) AND active
    ORDER BY member_no <> ?, member_no LIMIT ?"""


def fill_initials() -> int:
    """Set the initials of members that have none (registered before migration 0004, or pulled
    from the bureau); returns how many were set.  Run at start-up, in one write."""
    rows = db.execute_sql("SELECT id, name FROM member WHERE initials = ''").fetchall()
    memo: dict[str, str] = {}
    changes = [(value, member_id) for member_id, name in rows if (value := _initials_of(name, memo))]
    if changes:
        with write():
            # Never over initials set meanwhile (a member registered or renamed by staff).
            db.cursor().executemany("UPDATE member SET initials = ? WHERE id = ? AND initials = ''", changes)
        log.info("pinyin initials filled in for %s members", len(changes))
    return len(changes)


def _initials_of(name: str, memo: dict[str, str]) -> str:
    # initials() costs ~30 µs a name: 1.5 s for 50,000 members at start-up.  A name with no
    # phrase of the table in it reads character by character, as initials() would read it, so
    # each character's reading is looked up once (a few thousand characters make most names).
    if pinyin.has_phrase(name):
        return initials(name)
    for char in name:
        if char not in memo:
            memo[char] = initials(char)
    return "".join(memo[c] for c in name)
