"""Storage: durable pragmas, the write lock taken at BEGIN, and a sign-in surviving kill -9."""
import os
import signal
import sqlite3
import subprocess
import sys

import pytest
from peewee import IntegrityError

from kiosk import PROJECT_DIR
from kiosk.db import open_db, write
from kiosk.models import Member, Outbox, PointsEntry, SignIn

from .builders import LESSON_START


def test_pragmas(database):
    def pragma(name):
        return database.execute_sql(f"PRAGMA {name}").fetchone()[0]
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2          # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 5000


def test_open_db_creates_the_folder_and_file(tmp_path):
    database = open_db(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b" / "kiosk.db").is_file()
    database.close()


def test_foreign_keys_are_enforced(database):
    with pytest.raises(IntegrityError):
        Member.create(member_no="DM0001", name="王建华", site=999)


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


CHILD = r"""
import sys
from datetime import datetime
from kiosk import config
from kiosk.checkin import CheckIn
from kiosk.credentials import Credential
from kiosk.db import open_db

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
        cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        os.kill(child.pid, signal.SIGKILL)            # at once on ACK: no clean close, no checkpoint
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
