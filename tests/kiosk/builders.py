"""Test data builders: fixed times, fictional ID numbers and a small hand-built site."""

import threading
from datetime import date, datetime, timedelta

from kiosk.identity import ids, tokens
from kiosk.identity.credentials import Credential
from kiosk.store import facts
from kiosk.store.db import db, write
from kiosk.store.models import (
    Activity,
    Course,
    Enrollment,
    Lesson,
    Member,
    PointsEntry,
    Registration,
    SignIn,
    Site,
    Term,
)
from kiosk.sync import apply
from kiosk.sync.apply import Here

# A Monday morning in term: the hand-built lesson starts then.
LESSON_START = datetime(2025, 3, 10, 9, 0)
# Valid fictional ID numbers (check characters verified in test_ids.py against docs/idcard-reader.md §1.10).
ID_WANG = "120103198806018241"
ID_LI = "360426199101010071"
ID_NOT_REGISTERED = "440308199901101512"

# A real site's keys (random, as the bureau makes them), devices and member-number prefix: with the
# demo data off, the public demo keys, the simulated devices and the demo's prefix DM are refused.
# Kiosk mode is added by tests.kiosk.conftest.write_site_file, which may be given a [kiosk] table
# of its own.
ID_HASH_KEY = "c515cd5419ed84add72b6d3ef33ecb78ff8b951ec17f9a8c08f47fbff99e9ddd"
CARD_KEY = "3ee55d0b775b685a263de2bc5ea692913d9f28d80fd52820826c6ebff9cb55f3"
MEMBER_PREFIX = "XC"
SITE_KEYS = (
    f'[security]\nid_hash_key = "{ID_HASH_KEY}"\ncard_key = "{CARD_KEY}"\n'
    + '[devices.idcard]\nport = ""\n[devices.qr_serial]\nport = ""\n'
    + "[devices.keyboard_wedge]\naccept_typed = false\n"
    + f'[staff]\nmember_prefix = "{MEMBER_PREFIX}"\n'
)


class World:
    """A small hand-built site: one term, and helpers for courses, lessons, members, activities."""

    def __init__(self, settings):
        self.settings = settings
        self.id_key = bytes.fromhex(settings.security.id_hash_key)
        self.card_key = bytes.fromhex(settings.security.card_key)
        self.site = Site.create(code=settings.site.code, name="测试区老干部活动中心")
        self.term = Term.create(site=self.site, name="2025年春季学期", start=date(2025, 2, 24), end=date(2025, 6, 29))

    def member(self, no: str, name: str = "王建华", id_number: str | None = None, **fields) -> Member:
        extra = {}
        if id_number:
            extra = {"id_hash": ids.id_hash(id_number, self.id_key)}
        return Member.create(member_no=no, name=name, site=self.site, **extra, **fields)

    def course(self, name: str, **fields) -> Course:
        fields.setdefault("room", "一楼 多功能厅")
        return Course.create(term=self.term, name=name, **fields)

    def lesson(self, course: Course, start: datetime, minutes: int = 120, **fields) -> Lesson:
        return Lesson.create(course=course, start=start, end=start + timedelta(minutes=minutes), **fields)

    def enroll(self, member: Member, course: Course, status: str = "enrolled") -> Enrollment:
        return Enrollment.create(member=member, course=course, status=status)

    def activity(self, title: str, start: datetime, minutes: int = 90, **fields) -> Activity:
        return Activity.create(
            site=self.site, title=title, start=start, end=start + timedelta(minutes=minutes), **fields
        )

    def register(self, member: Member, activity: Activity, status: str = "registered") -> Registration:
        return Registration.create(member=member, activity=activity, status=status)

    def sign_in(self, member: Member, at: datetime, **target) -> SignIn:
        """A sign-in row as a kiosk keeps it; `target` is lesson= or activity=."""
        return SignIn.create(
            event_id=facts.new_event_id(), member=member, at=at, method="qr", kiosk_id=self.settings.kiosk.id, **target
        )

    def entry(self, member: Member, amount: int, kind: str, at: datetime, **fields) -> PointsEntry:
        """A ledger entry, provisional unless `status` says otherwise."""
        return PointsEntry.create(
            event_id=facts.new_event_id(), member=member, amount=amount, kind=kind, at=at, **fields
        )

    def rules(self, *rules: dict, version: int = 1) -> None:
        """Points rules as the bureau publishes them, applied as a pull applies them."""
        here = Here(self.settings.site.code, self.settings.kiosk.id, datetime.now())
        with write():
            for r in rules:
                apply.rule(r["category"], {**r, "version": version}, here)

    def token(self, member: Member) -> str:
        return tokens.make(member.member_no, member.card_issue, self.card_key)

    def qr(self, member: Member) -> Credential:
        return Credential.qr(self.token(member))

    @staticmethod
    def idcard(
        id_number: str,
        valid_from: date | None = date(2020, 1, 1),
        valid_to: date | None = date(2040, 1, 1),
        long_term: bool = False,
        name: str = "王建华",
    ) -> Credential:
        return Credential(
            method="idcard",
            id_number=id_number,
            name=name,
            valid_from=valid_from,
            valid_to=valid_to,
            long_term=long_term,
        )


# -- failures half-way through a transaction ---------------------------------------------------


class Boom(Exception):
    pass


def fail_on_call(real, n):
    """`real`, raising Boom on its n-th call: a write failing part-way (a full disk, say)."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(args)
        if len(calls) == n:
            raise Boom("disk full half-way")
        return real(*args, **kwargs)

    return wrapper


def race(calls: list) -> list:
    """Run the calls at once, each in its own thread with its own connection; their results in order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(n, call):
        try:
            barrier.wait(timeout=10)
            results[n] = call()
        except Exception as e:  # reported below: an exception in a thread would be lost
            errors.append(e)
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors and not any(t.is_alive() for t in threads)
    return results
