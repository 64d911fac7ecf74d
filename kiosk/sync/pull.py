"""Pull: the bureau's streams down to the kiosk (docs/sync-protocol.md §6), each from its own cursor.

A page is applied with its cursor in short write transactions (parts of at most PART items or
PART_S seconds: the check-in takes its turn between them), each moving the cursor to the rev of
its last item, so a crash or a garbled reply loses nothing: the cursor stays at the last part
applied, and items come again from there.  No write transaction is held across a request.

Refetch (§6.5).  A 410 (the bureau rebuilt the stream, or the cursor is older than what it keeps) starts
the stream again from after=0 without a handle, and the snapshot REPLACES this kiosk's copy of
that stream — only that stream; the outbox is never touched.  It is crash-safe without staging:
  1. one transaction marks every `pulled` row of the stream rev -1 ("not seen again yet"),
     resets its cursor and handle and sets refetch:<stream>;
  2. the snapshot's pages apply as usual (any rev beats -1), each part with its cursor; the
     local rows stay usable meanwhile, nothing is removed yet;
  3. the last page's last transaction forgets what is still at -1 (absent from the snapshot:
     members deactivated, activities cancelled, …, see kiosk.sync.apply) and clears
     refetch:<stream>.
A crash between parts or pages resumes at the cursor with the flag still set, so step 3 still
happens.

Heads (§6.3).  pull_all asks GET /v1/heads first (every stream's handle and head_rev, one small
request) and pulls only the streams whose copy is not the bureau's: another handle, a head other
than the cursor (after a complete pull the cursor IS the head: the last page's next_after), or a
refetch under way.  An idle cycle is one request instead of seven.  A bureau that cannot say (an
older one answers 404) gets every stream pulled, as before.
"""

import logging
import time
from dataclasses import dataclass

from kiosk.store import models
from kiosk.store.db import write
from kiosk.sync import apply, state
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.push import Denied

log = logging.getLogger(__name__)

# Members and cards before balances: a balance entry needs its member; settings last, as they change
# nothing else.
STREAMS = ("sites", "rules", "members", "cards", "balances", "items", "settings")
LIMIT = 1000
# A page is applied in parts, each its own write transaction: a 1,000-member page in one took
# seconds on a busy kiosk, and the check-in waited for the write lock all that time.
PART = 100
PART_S = 0.05


class PullError(Exception):
    """The bureau's reply for a stream could not be used (refused, or not a page)."""


@dataclass(frozen=True)
class Pulled:
    stream: str
    pages: int
    applied: int  # items applied
    ignored: int  # items not newer than what the kiosk had, or not understood
    refetched: bool  # the stream was fetched again from the start (a 410)
    cursor: int


def pull_stream(bureau: Bureau, stream: str, here: Here, limit: int = LIMIT) -> Pulled:
    """Page `stream` from its cursor until the bureau says there is no more."""
    pages = applied = ignored = 0
    refetched = False
    while True:
        after, handle = state.get_int(f"cursor:{stream}"), state.get(f"handle:{stream}")
        params = {"stream": stream, "after": after, "limit": limit, **({"handle": handle} if handle else {})}
        reply = bureau.get("/v1/pull", params)
        if reply.status == 410:
            if after == 0 and not handle:
                raise PullError(f"{stream}: the bureau asks to refetch a fresh start")
            log.warning("the bureau rebuilt stream %s (%s): fetching it again", stream, reply.data.get("error"))
            begin_refetch(stream)
            refetched = True
            continue
        if reply.status == 401:
            raise Denied(reply.data.get("error") or "unauthorized")
        if reply.status != 200:
            raise PullError(f"{stream}: HTTP {reply.status} {reply.data.get('error', '')}".strip())
        page = checked(stream, reply.data)
        done = apply_page(stream, page, here)
        pages, applied, ignored = pages + 1, applied + done, ignored + len(page["items"]) - done
        if not page["more"]:
            return Pulled(stream, pages, applied, ignored, refetched, page["next_after"])


def pull_all(bureau: Bureau, here: Here, ask_heads: bool = True) -> dict[str, Pulled | Exception]:
    """Every stream the bureau has something new of (every one when `ask_heads` is False or the
    bureau cannot say); a stream left alone is reported as pulled with nothing applied.  One
    failing does not stop the others (each is reported).  An unreachable bureau or a refused
    kiosk ends it all: Unreachable and Denied go to the caller."""
    found = heads(bureau) if ask_heads else None
    done: dict[str, Pulled | Exception] = {}
    for stream in STREAMS:
        try:
            done[stream] = pull_stream(bureau, stream, here) if stale(stream, found) else unchanged(stream)
        except PullError as e:
            log.warning("pulling %s failed: %s", stream, e)
            done[stream] = e
    if not any(isinstance(x, Exception) for x in done.values()):
        with write():
            state.put(last_pull_ok=time.time())
    return done


def heads(bureau: Bureau) -> dict[str, dict] | None:
    """{stream: {"handle", "head_rev"}} from GET /v1/heads, or None when the bureau cannot say
    (an older bureau: 404; any other refusal or a reply of another shape): then pull everything."""
    reply = bureau.get("/v1/heads")
    if reply.status == 401:
        raise Denied(reply.data.get("error") or "unauthorized")
    found = reply.data.get("streams")
    if reply.status != 200 or not isinstance(found, dict):
        log.info("the bureau gives no heads (HTTP %s): pulling every stream", reply.status)
        return None
    return found


def stale(stream: str, found: dict[str, dict] | None) -> bool:
    """Whether `stream` must be pulled: the bureau gave no heads or none for it, its handle or
    head is not this copy's, or a refetch of it is under way."""
    head = found.get(stream) if found is not None else None
    if not isinstance(head, dict) or state.get(f"refetch:{stream}"):
        return True
    return head.get("handle") != state.get(f"handle:{stream}") or head.get("head_rev") != state.get_int(
        f"cursor:{stream}"
    )


def unchanged(stream: str) -> Pulled:
    """A stream the bureau has nothing new of, reported as an empty pull."""
    return Pulled(stream, 0, 0, 0, False, state.get_int(f"cursor:{stream}"))


def refetch(bureau: Bureau, stream: str, here: Here) -> Pulled:
    """Fetch `stream` again from the start and replace this kiosk's copy (the nightly sync's remedy)."""
    begin_refetch(stream)
    return pull_stream(bureau, stream, here)


def apply_page(stream: str, page: dict, here: Here) -> int:
    """A checked page's items in write transactions of at most PART items or PART_S seconds, each
    with the cursor at its last item's rev (items come in rev order, so a crash after any part
    resumes right after it); the last part sets the page's next_after and, on the last page of a
    refetch, forgets what the snapshot no longer has.  Returns how many items were applied."""
    apply.ready(stream)
    items, done, first = page["items"], 0, 0
    while True:
        with write():
            began, last = time.monotonic(), first
            while last < len(items) and (last == first or _room(last - first, began)):
                done += apply.item(stream, items[last], here)
                last += 1
            end = last == len(items)
            cursor = page["next_after"] if end else items[last - 1]["rev"]
            state.put(**{f"cursor:{stream}": cursor, f"handle:{stream}": page["handle"]})
            if end and not page["more"] and state.get(f"refetch:{stream}"):
                _finish_refetch(stream, here)
        if end:
            return done
        first = last


def _room(applied: int, began: float) -> bool:
    """Whether the current part may take one more item."""
    return applied < PART and time.monotonic() - began < PART_S


def checked(stream: str, data: dict) -> dict:
    """The page, checked enough that applying it cannot fail half way for its shape."""
    try:
        items, next_after, more = data["items"], int(data["next_after"]), bool(data["more"])
        ok = (
            data["stream"] == stream
            and isinstance(data["handle"], str)
            and isinstance(items, list)
            and all(isinstance(x, dict) and {"rev", "id", "op", "data", "crc"} <= x.keys() for x in items)
        )
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise PullError(f"{stream}: the bureau's reply is not a page")
    return {**data, "next_after": next_after, "more": more}


def begin_refetch(stream: str) -> None:
    """Step 1 of a refetch (see the module's doc)."""
    with write():
        models.Pulled.update(rev=-1).where(models.Pulled.stream == stream).execute()
        state.put(**{f"cursor:{stream}": 0, f"handle:{stream}": "", f"refetch:{stream}": 1})


def _finish_refetch(stream: str, here: Here) -> None:
    """In the last page's transaction: what the snapshot did not bring again is gone at the bureau."""
    gone = (models.Pulled.stream == stream) & (models.Pulled.rev == -1)
    for row in models.Pulled.select().where(gone, ~models.Pulled.deleted):
        apply.forget(stream, row.entity_id, here)
    removed = models.Pulled.delete().where(gone).execute()
    state.put(**{f"refetch:{stream}": ""})
    log.info("stream %s fetched again: %d entities it no longer has removed here", stream, removed)
