"""The nightly full sync (docs/sync-protocol.md §8): compare this kiosk's outbox with the bureau's
state of it and push everything the bureau lacks, pull everything, then compare each
stream's checksum with the bureau's and fetch again a stream that drifted (a row lost or changed
here, a bug): pulls bring changes, only this finds what no change will ever bring back.

The checksum is the bureau's (§6.7): over the stream's rows this kiosk sees, not deleted, their count
and the sum of their crcs mod 2**32.  The kiosk keeps each crc it applied (table pulled), so it
sums the same — compared only when its cursor is at the bureau's head_rev, as before that the two
sums are of different moments.
"""

import json
import logging
import time
from datetime import datetime, timedelta

from kiosk.programme.schedule import hm
from kiosk.store.db import db, write
from kiosk.sync import state
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.pull import STREAMS, PullError, pull_all, pull_stream, refetch
from kiosk.sync.push import Denied, push_all, reconcile

log = logging.getLogger(__name__)

DAY = 24 * 3600
TRIES = 2  # head_rev moved on between pull and checksum: catch up and compare again this often


def next_at(after: datetime, at: str) -> datetime:
    """The first moment at HH:MM `at` later than `after`."""
    moment = datetime.combine(after.date(), hm(at))
    return moment if moment > after else moment + timedelta(days=1)


def overdue(now: float) -> bool:
    """The last full sync is over a day old (or never was): the kiosk was off at its time."""
    last = state.get("last_nightly_ok")
    return not last or now - float(last) > DAY


def run(bureau: Bureau, batch: int, here: Here) -> dict[str, str]:
    """Reconcile and push, pull, compare; per stream "ok", "refetched", "error" or "unchecked" (the bureau kept
    changing it), recorded as last_nightly_result with the time it ended, last_nightly_ok (a stream
    that failed is tried again the next night, and pulled meanwhile).  Unreachable and Denied go to
    the caller, with nothing recorded: the run is still due."""
    reconcile(bureau)
    push_all(bureau, batch)
    pulled = pull_all(bureau, here, ask_heads=False)  # every stream, as the checksums follow
    result = {}
    for stream in STREAMS:
        try:
            result[stream] = "error" if isinstance(pulled[stream], Exception) else _compare(bureau, stream, here)
        except PullError as e:
            log.warning("the nightly check of %s failed: %s", stream, e)
            result[stream] = "error"
    with write():
        state.put(last_nightly_result=json.dumps(result), last_nightly_ok=time.time())
    log.info("nightly sync: %s", ", ".join(f"{s} {r}" for s, r in result.items()))
    return result


def local(stream: str) -> tuple[int, int]:
    """This kiosk's count and checksum of `stream`, summed as the bureau sums it."""
    count, total = db.execute_sql(
        "SELECT count(*), coalesce(sum(crc), 0) FROM pulled WHERE stream = ? AND NOT deleted", (stream,)
    ).fetchone()
    return count, total % 2**32


def _compare(bureau: Bureau, stream: str, here: Here) -> str:
    for _ in range(TRIES):
        reply = bureau.get("/v1/checksum", {"stream": stream})
        if reply.status == 401:
            raise Denied(reply.data.get("error") or "unauthorized")
        if reply.status != 200:
            raise PullError(f"{stream}: checksum HTTP {reply.status} {reply.data.get('error', '')}".strip())
        theirs = reply.data
        if theirs.get("handle") == state.get(f"handle:{stream}") and int(theirs["head_rev"]) == state.get_int(
            f"cursor:{stream}"
        ):
            ours = local(stream)
            if ours == (int(theirs["count"]), int(theirs["checksum"])):
                return "ok"
            log.warning(
                "stream %s differs from the bureau's (here %d rows, checksum %d; there %s, %s): fetching it again",
                stream,
                *ours,
                theirs["count"],
                theirs["checksum"],
            )
            refetch(bureau, stream, here)
            return "refetched"
        pull_stream(bureau, stream, here)
    return "unchecked"
