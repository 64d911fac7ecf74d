"""Storage: durable pragmas, the write lock taken at BEGIN, and a sign-in surviving kill -9."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from peewee import IntegrityError

from kiosk.store.db import db, get_by, insert, open_db, write, writers
from kiosk.store.models import Member, Outbox, PointsEntry, SignIn
from tests.kiosk.builders import LESSON_START
from tests.waiting import wait_until
from tools.checkout import ROOT


def test_pragmas(database):
    def pragma(name):
        return database.execute_sql(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000
    assert pragma("secure_delete") == 1  # deleted rows are overwritten (test_newcomers)


def test_open_db_creates_the_folder_and_file(tmp_path):
    database = open_db(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b" / "kiosk.db").is_file()
    database.close()


def test_foreign_keys_are_enforced(database):
    with pytest.raises(IntegrityError):
        Member.create(member_no="DM0001", name="王建华", site=999)


def test_insert_stores_what_peewee_would(world, wang):
    member, lesson = wang
    at = LESSON_START + timedelta(microseconds=123456)
    fields = dict(member=member, amount=3, kind="lesson", signin=None, at=at)
    fast = insert(PointsEntry, event_id="fast", **fields)
    slow = PointsEntry.insert(event_id="slow", **fields).execute()
    rows = PointsEntry.select().where(PointsEntry.id.in_([fast, slow])).order_by(PointsEntry.id).dicts()
    a, b = list(rows)
    assert a.pop("id") == fast and b.pop("id") == slow
    assert a.pop("event_id") == "fast" and b.pop("event_id") == "slow"
    assert a == b  # same values, defaults and datetime text
    assert a["status"] == "provisional" and a["at"] == at and a["member"] == member.id


def test_insert_reuses_its_sql_for_other_values_and_column_sets(world, wang):
    member, lesson = wang
    first = insert(SignIn, event_id="e1", member=member, lesson=lesson, at=LESSON_START, method="qr", kiosk_id="K1")
    other = insert(SignIn, event_id="e2", member=member, activity=None, at=LESSON_START, method="staff", kiosk_id="K2")
    got = {s.id: (s.event_id, s.lesson_id, s.method, s.kiosk_id) for s in SignIn.select()}
    assert got == {first: ("e1", lesson.id, "qr", "K1"), other: ("e2", None, "staff", "K2")}


def test_get_by_finds_one_row_or_none(world, wang):
    member, _ = wang
    found = get_by(Member, "member_no", "DM9001")
    assert found.id == member.id and found.name == "王建华" and found.points_confirmed == 10
    assert get_by(Member, "id_hash", member.id_hash).id == member.id
    assert get_by(Member, "member_no", "DM0000") is None


def test_write_takes_the_lock_at_begin(database):
    other = sqlite3.connect(str(database.database), timeout=0, isolation_level=None)
    try:
        with write():
            # Nothing written yet, yet another writer is already shut out.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_writers_of_this_process_take_turns_in_the_order_they_asked(database):
    """kiosk.store.db.FairLock: a thread that writes again at once queues behind one already waiting; a
    write inside a write is the same turn."""
    order, first_in = [], threading.Event()

    def writer(name: str, times: int, hold: bool) -> None:
        try:
            for n in range(times):
                with write():
                    with write():  # nested: a savepoint, the same turn
                        order.append(name)
                    if hold and n == 0:  # a holds its first turn until b queues
                        first_in.set()
                        wait_until(lambda: writers.waiting() == 1, 10, "the other writer to queue")
        finally:
            db.close()  # this thread's connection

    a = threading.Thread(target=writer, args=("a", 2, True))
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=writer, args=("b", 1, False))
    b.start()
    for t in (a, b):
        t.join(10)
    assert order == ["a", "b", "a"] and writers.waiting() == 0


CHILD = r"""
import sys
from datetime import datetime
from kiosk import config
from kiosk.checkin.signin import CheckIn
from kiosk.identity.credentials import Credential
from kiosk.store.db import open_db

settings = config.load(sys.argv[1], sys.argv[2])
open_db(settings.kiosk.data_dir)
result = CheckIn(settings).handle(Credential.qr(sys.argv[3]), datetime.fromisoformat(sys.argv[4]))
print("ACK" if result.kind == "ok" else f"NAK {result.kind} {result.detail}", flush=True)
sys.stdin.read()      # wait here to be killed
"""


def test_acknowledged_sign_in_survives_kill_9(world, wang, settings, site_file, database):
    member, lesson = wang
    token = world.token(member)
    database.close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(site_file), settings.kiosk.data_dir, token, LESSON_START.isoformat()],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        os.kill(child.pid, signal.SIGKILL)  # at once on ACK: no clean close, no checkpoint
    finally:
        child.kill()
        child.wait()
        errors = child.stderr.read()
        child.stdin.close(), child.stdout.close(), child.stderr.close()
    assert line == "ACK\n", errors
    assert child.returncode == -signal.SIGKILL

    database = open_db(settings.kiosk.data_dir)
    signin = SignIn.get()
    assert (signin.member_id, signin.lesson_id, signin.at) == (member.id, lesson.id, LESSON_START)
    entry = PointsEntry.get()
    assert entry.signin_id == signin.id
    facts = {o.kind: o for o in Outbox.select()}
    assert facts["signin"].event_id == signin.event_id and facts["points"].event_id == entry.event_id
    assert [o.seq for o in Outbox.select().order_by(Outbox.seq)] == [1, 2]
    assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    database.close()
