"""Push: the outbox up to the bureau in batches of contiguous seqs (docs/sync-protocol.md §5).

The bureau is idempotent by event id and keeps the acknowledged seq, so a batch sent twice —
after a lost reply, a kill -9, a restore — is harmless.  This side moves acked_seq to what the
bureau says, never past the last seq it sent: a restored kiosk.db numbers its new facts with
seqs the bureau may already hold, and only sending them shows whether they are the same facts
(§5.7).  reconcile() compares with the bureau's own state, for a bureau restored from an older
copy (§5.9).  No write transaction is held across a request."""

import logging
import time
from dataclasses import dataclass

import msgspec

from contract import payloads
from contract.facts import Fact, Push
from kiosk import VERSION
from kiosk.store.db import db, write
from kiosk.sync import state
from kiosk.sync.client import Bureau

log = logging.getLogger(__name__)


class Denied(Exception):
    """The bureau refused the kiosk itself (unknown, revoked, bad signature): a person must act."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Pushed:
    sent: int
    inserted: int
    duplicates: int
    rejected: int
    acked_seq: int


def backlog() -> int:
    """Facts the bureau has not acknowledged yet."""
    return db.execute_sql("SELECT count(*) FROM outbox WHERE seq > ?", (state.get_int("acked_seq"),)).fetchone()[0]


def push_once(bureau: Bureau, batch: int) -> Pushed | None:
    """Send the next batch after acked_seq; None when there is nothing to send.  A reply that
    moves the kiosk back (a gap, a new epoch) is applied and counts as a batch of 0."""
    epoch, acked = state.get_int("epoch", 1), state.get_int("acked_seq")
    rows = db.execute_sql(_BATCH, (acked, batch)).fetchall()
    if not rows:
        return None
    reply = bureau.post("/v1/push", _body(bureau.kiosk_id, epoch, rows))
    data = reply.data
    if reply.status == 200:
        upto = _acknowledged(acked, rows[-1][0], data)
        return Pushed(len(rows), data["inserted"], data["duplicates"], len(data["rejected"]), upto)
    error = data.get("error", "")
    if reply.status == 409 and error == "gap":
        _rewind(data["acked_seq"])
    elif reply.status == 409 and error in ("epoch", "epoch_conflict"):
        _new_epoch(bureau, error)
    elif reply.status == 401:
        raise Denied(error or "unauthorized")
    else:
        raise Denied(f"HTTP {reply.status} {error}".strip())
    return Pushed(0, 0, 0, 0, state.get_int("acked_seq"))


def reconcile(bureau: Bureau) -> None:
    """Compare this kiosk's epoch and acked_seq with the bureau's (GET /v1/state), so that what
    the bureau lacks is sent again by the next push: a bureau restored from an older copy lost
    the facts it acknowledged after that copy, and no push would ever send them again (§5.9)."""
    reply = bureau.get("/v1/state")
    if reply.status == 401:
        raise Denied(reply.data.get("error") or "unauthorized")
    if reply.status != 200:
        raise Denied(f"HTTP {reply.status} {reply.data.get('error', '')}".strip())
    epoch, acked = state.get_int("epoch", 1), state.get_int("acked_seq")
    theirs, their_acked = int(reply.data["epoch"]), int(reply.data["acked_seq"])
    if theirs < epoch:
        # The bureau's copy is from before this kiosk's last new epoch: what it holds of the
        # outbox cannot be told by seq, so the whole outbox goes again, in a new epoch.
        _new_epoch(bureau, f"the bureau is at epoch {theirs}, this kiosk at {epoch}")
    elif theirs == epoch and their_acked < acked:
        _rewind(their_acked)
    # A higher epoch or acked_seq at the bureau: this kiosk.db was restored; its next push finds
    # out whether the seqs it sends are the bureau's facts (an epoch conflict otherwise).


def push_all(bureau: Bureau, batch: int) -> list[Pushed]:
    """Push until the outbox is drained (what the nightly run and `sync --once` do)."""
    done = []
    while (pushed := push_once(bureau, batch)) is not None:
        done.append(pushed)
    return done


def _body(kiosk_id: str, epoch: int, rows: list[tuple]) -> bytes:
    # Payloads are stored as JSON text: spliced in as they are rather than parsed and dumped again.
    for seq, event_id, kind, _, _, payload in rows:
        _check(seq, event_id, kind, payload)
    events = [
        Fact(event_id, seq, kind, schema_v, wall_ms, msgspec.Raw(payload))
        for seq, event_id, kind, schema_v, wall_ms, payload in rows
    ]
    newest = db.execute_sql("SELECT max(seq) FROM outbox").fetchone()[0]
    return msgspec.json.encode(
        Push(kiosk_id, epoch, rows[0][0], rows[-1][0], VERSION, events, newest, int(time.time() * 1000))
    )


def _check(seq: int, event_id: str, kind: str, payload: str) -> None:
    """Log a fact whose payload the bureau will refuse (contract.payloads): a bug of this kiosk,
    shown in its own log.  It is sent all the same: the outbox's seqs leave no gap, and the
    bureau's refusal marks it rejected for staff (sync status)."""
    try:
        payloads.parse(kind, payload)
    except payloads.PayloadError as e:
        log.error(
            "fact %s (seq %d, %s) does not fit the contract, the bureau will refuse it: %s", event_id, seq, kind, e
        )


def _acknowledged(acked: int, last_sent: int, data: dict) -> int:
    """A 200: the rows up to the bureau's acked_seq, but never past the last one sent, are acked;
    returns the new acked_seq.  A bureau that holds more than this kiosk sent has facts of another
    copy of this kiosk.db: taking its acked_seq would mark facts written since the restore as
    sent without ever sending them."""
    now = time.time()
    with write():
        upto = max(acked, min(last_sent, int(data["acked_seq"])))
        db.execute_sql("UPDATE outbox SET state = 'acked' WHERE seq <= ? AND state = 'pending'", (upto,))
        for r in data["rejected"]:
            db.execute_sql(
                "UPDATE outbox SET state = 'rejected', reject_code = ?, reject_reason = ? WHERE event_id = ?",
                (r["code"], r.get("reason", ""), r["event_id"]),
            )
            log.warning(
                "the bureau refused fact %s (seq %s): %s %s",
                r["event_id"],
                r.get("seq"),
                r["code"],
                r.get("reason", ""),
            )
        state.put(acked_seq=upto, last_push_ok=now)
    if data["rejected"]:
        log.info(
            "pushed up to seq %d: %d new, %d already there, %d refused",
            upto,
            data["inserted"],
            data["duplicates"],
            len(data["rejected"]),
        )
    return upto


def _rewind(acked: int) -> None:
    """The bureau has less than we thought (its store was restored): send again from its acked_seq."""
    log.warning("the bureau has acknowledged only up to seq %d: sending again from there", acked)
    with write():
        db.execute_sql("UPDATE outbox SET state = 'pending' WHERE seq > ? AND state = 'acked'", (acked,))
        state.put(acked_seq=acked)


def _new_epoch(bureau: Bureau, why: str) -> None:
    """This kiosk.db is not the one the bureau knows (restored from an old copy, reinstalled): start
    a new epoch and send the whole outbox again.  Facts the bureau has are duplicates by event id;
    the others — written since the copy was made — are new.  Nothing is lost either way."""
    reply = bureau.post("/v1/epoch", {"kiosk_id": bureau.kiosk_id})
    if reply.status != 200:
        raise Denied(reply.data.get("error", f"HTTP {reply.status}"))
    log.warning(
        "the bureau did not recognise this kiosk's outbox (%s): epoch %d, sending it all again",
        why,
        reply.data["epoch"],
    )
    with write():
        db.execute_sql("UPDATE outbox SET state = 'pending' WHERE state = 'acked'")
        state.put(epoch=reply.data["epoch"], acked_seq=0)


_BATCH = "SELECT seq, event_id, kind, schema_v, wall_ms, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"
