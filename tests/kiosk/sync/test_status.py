"""What staff see of sync, read from a real kiosk.db: backlog, the last successes, the nightly
result written by the nightly sync, the clock offset, the bureau's host, the refused facts, and
the one-word headline with what the last error means."""

import json
from datetime import datetime, timedelta

import pytest

from kiosk.store import facts
from kiosk.store.db import db, write
from kiosk.sync import state
from kiosk.sync.status import REJECTED_SHOWN, error_kind, failed, headline, host, status, succeeded

NOW = datetime(2026, 11, 21, 9, 0)
URL = "https://bureau.example.gov.cn:8443/kiosk/v1"


def write_facts(n: int, start: datetime = NOW) -> list[int]:
    with write():
        return [
            facts.record("signin", facts.new_event_id(), {"member_no": f"DM{i:04d}"}, start + timedelta(minutes=i))
            for i in range(n)
        ]


def refuse(seqs: list[int], code: str = "wrong_site") -> None:
    with write():
        for seq in seqs:
            db.execute_sql(
                "UPDATE outbox SET state = 'rejected', reject_code = ?, reject_reason = ? WHERE seq = ?",
                (code, f"reason {seq}", seq),
            )


def test_a_new_kiosk_has_never_synced(database):
    s = status(False)
    assert (s.configured, s.backlog, s.oldest_pending, s.rejected) == (False, 0, None, 0)
    assert (s.last_push_ok, s.last_pull_ok, s.last_nightly_ok, s.last_error_at) == (None,) * 4
    assert (s.last_nightly_result, s.clock_offset_ms, s.bureau, s.rejected_facts) == ({}, 0, "", ())
    assert headline(s) == "off"


def test_the_backlog_counts_facts_after_the_acknowledged_seq_and_names_the_oldest(database):
    seqs = write_facts(5)
    with write():
        state.put(acked_seq=seqs[1])
    s = status(True, URL)
    assert s.backlog == 3 and s.oldest_pending == NOW + timedelta(minutes=2)
    assert headline(s) == "pending"
    with write():
        state.put(acked_seq=seqs[-1])
    assert headline(status(True, URL)) == "synced"


def test_the_last_pull_and_nightly_as_the_pull_client_writes_them(database):
    pulled, nightly = NOW.timestamp(), (NOW - timedelta(hours=6)).timestamp()
    with write():
        state.put(
            last_pull_ok=pulled,
            last_nightly_ok=nightly,
            last_nightly_result=json.dumps({"members": "refetched", "items": "ok", "rules": "HTTP 503"}),
        )
    s = status(True, URL)
    assert s.last_pull_ok == NOW and s.last_nightly_ok == NOW - timedelta(hours=6)
    assert s.last_nightly_result == {"members": "refetched", "items": "ok", "rules": "HTTP 503"}


@pytest.mark.parametrize("written", ["not json", "[1, 2]", '"ok"', ""])
def test_an_unreadable_nightly_result_counts_as_none(database, written):
    with write():
        state.put(last_nightly_result=written, last_nightly_ok="garbage")
    s = status(True, URL)
    assert s.last_nightly_result == {} and s.last_nightly_ok is None


def test_the_clock_offset_shows_only_past_a_minute(database):
    for offset, off in ((59_999, False), (-60_000, False), (60_001, True), (-183_000, True)):
        with write():
            state.put(clock_offset_ms=offset)
        s = status(True, URL)
        assert (s.clock_offset_ms, s.clock_off) == (offset, off)


def test_refused_facts_are_listed_newest_first_and_at_most_twenty(database):
    seqs = write_facts(REJECTED_SHOWN + 5)
    refuse(seqs[:-1])  # all but the newest were refused
    s = status(True, URL)
    assert s.rejected == REJECTED_SHOWN + 4
    assert [r.seq for r in s.rejected_facts] == seqs[-2 : -2 - REJECTED_SHOWN : -1]
    newest = s.rejected_facts[0]
    assert (newest.kind, newest.code, newest.reason) == ("signin", "wrong_site", f"reason {seqs[-2]}")
    assert newest.written == NOW + timedelta(minutes=len(seqs) - 2)


def test_only_the_bureaus_host_and_port_are_kept():
    assert host(URL) == "bureau.example.gov.cn:8443"
    assert host("http://user:secret@10.0.0.5/path?k=v") == "10.0.0.5"
    assert host("") == ""


@pytest.mark.parametrize(
    "error, kind, word",
    [
        ("ConnectError: [Errno 111] Connection refused", "offline", "offline"),
        ("ReadTimeout: timed out", "offline", "offline"),
        ("HTTP 503", "offline", "offline"),
        ("HTTP 429", "offline", "offline"),
        ("revoked", "revoked", "denied"),
        ("unknown_kiosk", "revoked", "denied"),
        ("bad_signature", "key", "denied"),
        ("stale_timestamp", "clock", "denied"),
        ("HTTP 413 too_large", "refused", "denied"),
        ("pull failed: members, balances", "pull", "failed"),
        ("internal error", "other", "failed"),
    ],
)
def test_the_last_error_decides_the_headline_until_a_sync_succeeds(database, error, kind, word):
    write_facts(2)
    assert error_kind(error) == kind
    failed(error)
    s = status(True, URL)
    assert (headline(s), s.last_error, s.backlog) == (word, error, 2)
    assert s.last_error_at is not None
    succeeded()
    assert headline(status(True, URL)) == "pending"


def test_without_a_bureau_the_headline_is_off_whatever_happened(database):
    write_facts(1)
    failed("ConnectError: x")
    assert headline(status(False)) == "off"
