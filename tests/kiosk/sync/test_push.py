"""The push body as the kiosk encodes it (kiosk/sync/push.py) is the one the bureau decodes and checks
(contract.facts.KnownPush): one definition of the wire format."""

import json
from datetime import datetime

import msgspec

from contract.facts import KINDS, SCHEMA_V, KnownPush
from kiosk import VERSION
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.sync import push

NOW = datetime(2026, 11, 21, 9, 0)


def test_the_kiosks_push_body_is_one_the_bureau_takes_as_it_is(database):
    with write():
        for kind in sorted(KINDS):
            facts.record(kind, facts.new_event_id(), {"member_no": "DM0001", "名字": "王建华"}, NOW)
    rows = database.execute_sql("SELECT seq, event_id, kind, schema_v, wall_ms, payload FROM outbox").fetchall()
    body = msgspec.json.decode(push._body("KIOSK-1", 2, rows), type=KnownPush)
    n = len(KINDS)
    assert (body.kiosk_id, body.epoch, body.first_seq, body.last_seq, body.head_seq) == ("KIOSK-1", 2, 1, n, n)
    assert {e.kind for e in body.events} == KINDS and {e.schema_v for e in body.events} == {SCHEMA_V}
    assert [json.loads(bytes(e.payload)) for e in body.events][0] == {"member_no": "DM0001", "名字": "王建华"}
    assert body.client_version == VERSION


def test_a_payload_that_does_not_fit_the_contract_shows_in_the_kiosks_log_and_is_still_sent(database, caplog):
    """A kiosk bug shows at the kiosk: the fact is logged as an error before it goes up, and goes
    up all the same (the outbox's seqs stay contiguous; the bureau's refusal reaches staff)."""
    at = NOW.isoformat()
    good = {"member_no": "DM0001", "kind": "lesson", "title": "太极拳", "start": at, "at": at, "method": "qr"}
    bad_id = facts.new_event_id()
    with write():
        facts.record("signin", facts.new_event_id(), good, NOW)
        facts.record("points", bad_id, {"member_no": "DM0001", "amount": 2**40, "kind": "correction", "at": at}, NOW)
    rows = database.execute_sql("SELECT seq, event_id, kind, schema_v, wall_ms, payload FROM outbox").fetchall()
    body = msgspec.json.decode(push._body("KIOSK-1", 1, rows), type=KnownPush)
    assert [e.event_id for e in body.events] == [rows[0][1], bad_id]
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and bad_id in errors[0] and "seq 2" in errors[0] and "amount" in errors[0]
