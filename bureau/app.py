"""The bureau's HTTP service (FastAPI): what kiosks call to sync (docs/sync-protocol.md §3-§6).

    GET  /v1/health   no signature: {"ok": true}
    GET  /v1/state    the kiosk's epoch and acked_seq at the bureau
    POST /v1/push     a batch of outbox facts (bureau/ingest.py)
    POST /v1/epoch    start the kiosk's next epoch after its database was restored
    GET  /v1/pull     ?stream=S&after=R&handle=H&limit=N: a page of a pull stream (bureau/streams.py)
    GET  /v1/checksum ?stream=S: the count and checksum of what the kiosk may see of a stream
    GET  /v1/heads    every stream's handle and head_rev: an idle kiosk's one request a cycle

Every other /v1 request is signed by the kiosk's key (bureau/auth.py), and every reply, error
or not, carries the bureau's clock as "server_time" (unix seconds) so a kiosk can correct its own,
and "Cache-Control: no-store" (each reply is one kiosk's).  Replies over 1 KB are gzipped for a
client that accepts it.
Endpoints read the body on the event loop and do the blocking peewee work in the thread pool,
each with its own connection (from the pool on PostgreSQL).
"""

import gc
import logging
import os
import time
from collections.abc import Callable
from contextlib import asynccontextmanager, nullcontext

from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from peewee import InterfaceError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES

from bureau import body, console, ingest, rules, streams, web
from bureau.auth import AuthError, authenticate, record, signed_headers, verify
from bureau.errors import Refusal, malformed
from bureau.models import Kiosk
from bureau.schema import open_store
from bureau.store import close_store, connection_lost, db, is_sqlite, utcnow, write, write_turn_if_free
from bureau.timing import ServerTiming

ENV_DB = "BUREAU_DB"  # the store URL `python -m bureau serve` hands to create_app
log = logging.getLogger("bureau.app")

Action = Callable[[Kiosk, bytes, str | None, float], dict]
# (method, target, signing headers, body as sent, Content-Encoding) → (status, reply fields)
Handler = Callable[[str, str, dict, bytes, str | None], tuple[int, dict]]
GZIP_FROM = 1024  # bytes: a smaller reply gains less than gzip costs
# Streams that reflect the kiosks' own pushes: the rules run before these are pulled, so the
# bureau's confirmations of a kiosk's points arrive in the sync cycle that pushed them.
RULED_STREAMS = ("members", "cards", "balances")
GC_THRESHOLDS = (50_000, 20, 100)  # gen-0 allocations, then gen-0 and gen-1 collections


def reply(status: int, fields: dict) -> JSONResponse:
    return JSONResponse({**fields, "server_time": time.time()}, status_code=status)


def internal_error(request: Request) -> JSONResponse:
    """The 500 for an error the bureau did not expect, logged with its traceback (call it in an except)."""
    log.exception("%s %s failed", request.method, request.url.path)
    return reply(500, {"error": "internal"})


def create_app(url: str | None = None) -> Callable:
    """The service on the store `url` (default: $BUREAU_DB, else bureau.db here)."""
    # Workers started by uvicorn are fresh processes: give the push log lines somewhere to go.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    open_store(url or os.environ.get(ENV_DB) or "bureau.db")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # On SQLite the rules run here, taking turns with the pushes for the one write lock
        # (bureau.store.write); across processes SQLite would make them poll for it instead.
        # On PostgreSQL `serve` runs them in a process of their own (bureau.rules.follow).
        worker = rules.Worker() if is_sqlite() else None
        if worker:
            worker.start()
        tune_gc()
        yield
        if worker:
            worker.stop()
        close_store()

    app = FastAPI(title="银龄签到 bureau", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    # Level 6, not Starlette's 9: a pull page compresses nearly as well for a third of the CPU.
    # The web page's font is cached by browsers and gains little: sent as it is.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_FROM,
        compresslevel=6,
        exclude_content_types=DEFAULT_EXCLUDED_CONTENT_TYPES + ("font/otf",),
    )
    # Outside gzip: the console's pages say how long the bureau took to make them, compression included.
    app.add_middleware(ServerTiming)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return reply(exc.status_code, {"error": str(exc.detail).lower().replace(" ", "_")})

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        return internal_error(request)

    @app.get("/v1/health")
    async def health() -> JSONResponse:
        return reply(200, {"ok": True})

    @app.get("/v1/state")
    async def state(request: Request) -> JSONResponse:
        return await signed(request, acting(_state))

    @app.post("/v1/epoch")
    async def epoch(request: Request) -> JSONResponse:
        return await signed(request, acting(_epoch))

    @app.get("/v1/pull")
    async def pull(request: Request) -> JSONResponse:
        query = request.query_params
        return await signed(request, acting(lambda kiosk, raw, encoding, now: _pull(kiosk, query)))

    @app.get("/v1/heads")
    async def heads(request: Request) -> JSONResponse:
        return await signed(request, acting(lambda kiosk, raw, encoding, now: _heads(kiosk)))

    @app.get("/v1/checksum")
    async def checksum(request: Request) -> JSONResponse:
        query = request.query_params
        return await signed(request, acting(lambda kiosk, raw, encoding, now: _checksum(kiosk, query)))

    app.include_router(web.router)  # the reports and signing in, under /web
    for router in console.routers():  # the console's areas, under /web too
        app.include_router(router)
    return _pushes_first(app)


def _pushes_first(app: FastAPI) -> Callable:
    """`app`, with POST /v1/push served before its middleware and routing.  Pushes are what a
    bureau mostly does (200 kiosks each night), and FastAPI's layers cost ~0.3 ms of CPU a
    request, 4 % of a whole 500-fact push; this path keeps what a push needs of them: the reply
    gzipped for a client that accepts it, and a 500 for an error."""
    push = GZipMiddleware(_push_endpoint, minimum_size=GZIP_FROM, compresslevel=6)

    async def serve(scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/push" and scope["method"] == "POST":
            await push(scope, receive, send)
        else:
            await app(scope, receive, send)

    return serve


async def _push_endpoint(scope, receive, send) -> None:
    request = Request(scope, receive)
    try:
        response = await signed(request, _push, inline=True)
    except Exception:
        response = internal_error(request)
    await response(scope, receive, send)


def tune_gc() -> None:
    """A push allocates some 10,000 objects, and at CPython's default threshold (700) the cyclic
    collector ran dozens of times in each, over everything the process holds: a quarter of a
    push's time.  What start-up made is frozen out of its sight."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def signed(request: Request, handler: Handler, inline: bool = False) -> JSONResponse:
    """Read the body, then authenticate and act in the thread pool (see acting and _push).

    An `inline` handler on SQLite runs on the event loop itself when this process's write turn
    is free, holding it throughout: the store takes one write at a time anyway, and the two
    handoffs to a pool thread and back cost up to a tenth of a 500-fact push on 2 cores.  The
    loop never waits for a writer of this process: with the turn taken, it goes to the pool.
    (It may wait for another process's: an admin command's write of a few milliseconds.)"""
    try:
        raw = await read_body(request)
    except Refusal as r:
        return reply(r.status, r.reply)
    # The kiosk signed the target as it sent it: the raw path and query, not a decoded form.
    path = request.scope.get("raw_path", request.url.path.encode())
    query = request.scope.get("query_string", b"")
    target = (path + b"?" + query if query else path).decode("latin-1")
    args = (request.method, target, signed_headers(request.headers), raw, request.headers.get("content-encoding"))
    with write_turn_if_free() if inline else nullcontext(False) as ours:
        status, fields = handler(*args) if ours else await run_in_threadpool(handler, *args)
    response = reply(status, fields)
    response.headers["Cache-Control"] = "no-store"
    return response


async def read_body(request: Request) -> bytes:
    """The body as sent, refused with 413 once it is over body.MAX_BODY (before reading it all)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > body.MAX_BODY:
        raise body.too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > body.MAX_BODY:
            raise body.too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def acting(action: Action) -> Handler:
    """A request handler that authenticates (a transaction of its own: the nonce stays recorded
    whatever the action does), then runs `action`."""

    def handle(method: str, target: str, headers: dict, raw: bytes, encoding: str | None) -> tuple[int, dict]:
        now = time.time()
        try:
            kiosk = _on_a_live_connection(lambda: _authenticate(method, target, headers, raw, now))
        except AuthError as e:
            return _unauthorized(method, target, headers, e)
        # Only the action is tried again: its authentication committed, nonce and all.
        return _acted(kiosk, method, target, lambda: _on_a_live_connection(lambda: action(kiosk, raw, encoding, now)))

    return handle


def _unauthorized(method: str, target: str, headers: dict, e: AuthError) -> tuple[int, dict]:
    detail = f": {e.detail}" if e.detail else ""
    log.warning("%s %s refused: %s (X-Kiosk %r%s)", method, target, e.code, headers.get("X-Kiosk"), detail)
    return 401, {"error": e.code}


def _authenticate(method: str, target: str, headers: dict, raw: bytes, now: float) -> Kiosk:
    with write():
        return authenticate(method, target, headers, raw, now)


def _push(method: str, target: str, headers: dict, raw: bytes, encoding: str | None) -> tuple[int, dict]:
    """POST /v1/push: the signature checked, the batch parsed and judged with no lock held, then
    the nonce and the batch stored in one transaction: a push costs one commit, not two, which on
    a durable store is most of its time, and holds SQLite's one write lock only to write.  A
    refused batch is refused before the store writes anything, and the nonce still commits; a
    connection lost midway rolls back both, so trying again on another connection is not a
    replay."""
    now = time.time()
    try:
        kiosk = _on_a_live_connection(lambda: verify(method, target, headers, raw, now))
    except AuthError as e:
        return _unauthorized(method, target, headers, e)
    try:
        judged = ingest.judge(kiosk, ingest.parse_batch(body.decode(raw, encoding), kiosk.kiosk_id), now)
    except Refusal as r:
        return _refused(kiosk, method, target, r)
    try:
        return _on_a_live_connection(lambda: _stored(kiosk, method, target, headers, judged, now))
    except AuthError as e:  # a replayed nonce
        return _unauthorized(method, target, headers, e)


def _stored(
    kiosk: Kiosk, method: str, target: str, headers: dict, judged: ingest.Judged, now: float
) -> tuple[int, dict]:
    with write():
        record(kiosk, headers, now)
        done = _acted(kiosk, method, target, lambda: ingest.store(judged))
    if done[0] == 200:
        rules.notify()
    return done


def _acted(kiosk: Kiosk, method: str, target: str, act: Callable[[], dict]) -> tuple[int, dict]:
    try:
        return 200, act()
    except Refusal as r:
        return _refused(kiosk, method, target, r)


def _refused(kiosk: Kiosk, method: str, target: str, r: Refusal) -> tuple[int, dict]:
    log.warning("%s %s from %s refused: %s", method, target, kiosk.kiosk_id, r.reply)
    return r.status, r.reply


def _on_a_live_connection(step: Callable[[], object]):
    """step() on a connection of the pool, and once more on another if PostgreSQL closed this one
    under it.  A step is transactions that rolled back with the connection (a push is one; a
    pull's rules are idempotent), so running it again is what the kiosk's own retry would do,
    without the 500 it would first get for each dead connection."""
    for attempt in (1, 2):
        with db.connection_context():
            try:
                return step()
            except (OperationalError, InterfaceError) as e:
                if attempt == 2 or not connection_lost():
                    raise
                log.warning("the store closed a connection (%s): trying again on another", str(e).strip())


def _state(kiosk: Kiosk, raw: bytes, encoding: str | None, now: float) -> dict:
    return {"kiosk_id": kiosk.kiosk_id, "site": kiosk.site.code, "epoch": kiosk.epoch, "acked_seq": kiosk.acked_seq}


def _epoch(kiosk: Kiosk, raw: bytes, encoding: str | None, now: float) -> dict:
    ingest.parse_epoch_request(body.decode(raw, encoding), kiosk.kiosk_id)
    return ingest.new_epoch(kiosk.id)


def _pull(kiosk: Kiosk, query) -> dict:
    stream = query.get("stream", "")
    after, limit = _number(query, "after", 0), _number(query, "limit", streams.PAGE)
    if stream in RULED_STREAMS:
        _catch_up_for(kiosk, f"pull {stream}")
    page = streams.pull(stream, after, query.get("handle"), limit, kiosk.site.code, kiosk.kiosk_id)
    _pulled(kiosk)
    return page


def _heads(kiosk: Kiosk) -> dict:
    """The rules caught up first, as before a pull of what they make: the heads a kiosk reads
    right after its push include the confirmations of what it pushed.  A kiosk told nothing is
    new has a copy as current as after a pull: its last_pull moves too."""
    _catch_up_for(kiosk, "heads")
    found = streams.heads()
    _pulled(kiosk)
    return found


def _pulled(kiosk: Kiosk) -> None:
    with write():
        Kiosk.update(last_pull=utcnow()).where(Kiosk.id == kiosk.id).execute()


def _catch_up_for(kiosk: Kiosk, what: str) -> None:
    """Catch the rules up before a pull of what they make (or the heads); when they fail, the
    reply serves the streams as they stand (the worker tries again), never a 500 to every kiosk.
    A connection PostgreSQL closed still goes to _on_a_live_connection, which tries another."""
    try:
        rules.catch_up()
    except Exception:
        if connection_lost():
            raise
        log.exception("%s by %s: the rules failed; serving the stream as it stands", what, kiosk.kiosk_id)


def _checksum(kiosk: Kiosk, query) -> dict:
    return streams.checksum(query.get("stream", ""), kiosk.site.code, kiosk.kiosk_id)


def _number(query, name: str, default: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise malformed(f"{name} must be a whole number")
    return int(text)
