"""The bureau's HTTP service (FastAPI): what kiosks call to sync (sync-protocol §6-§7).

    GET  /v1/health   no signature: {"ok": true}
    GET  /v1/state    the kiosk's epoch and acked_seq at the bureau
    POST /v1/push     a batch of outbox facts (bureau/ingest.py)
    POST /v1/epoch    start the kiosk's next epoch after its database was restored

Every other /v1 request is signed by the kiosk's key (bureau/auth.py), and every reply, error
or not, carries the bureau's clock as "server_time" (unix seconds) so a kiosk can correct its own.
Endpoints read the body on the event loop and do the blocking peewee work in the thread pool,
each with its own connection (from the pool on PostgreSQL).
"""
import logging
import os
import time
from contextlib import asynccontextmanager
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from bureau import body, ingest
from bureau.auth import AuthError, authenticate, signed_headers
from bureau.errors import Refusal
from bureau.models import Kiosk
from bureau.store import close_store, db, open_store, write

ENV_DB = "BUREAU_DB"          # the store URL `python -m bureau serve` hands to create_app
log = logging.getLogger("bureau.app")

Action = Callable[[Kiosk, bytes, str | None, float], dict]


def reply(status: int, fields: dict) -> JSONResponse:
    return JSONResponse({**fields, "server_time": time.time()}, status_code=status)


def create_app(url: str | None = None) -> FastAPI:
    """The service on the store `url` (default: $BUREAU_DB, else bureau.db here)."""
    # Workers started by uvicorn are fresh processes: give the push log lines somewhere to go.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    open_store(url or os.environ.get(ENV_DB) or "bureau.db")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        close_store()

    app = FastAPI(title="银龄签到 bureau", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return reply(exc.status_code, {"error": str(exc.detail).lower().replace(" ", "_")})

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return reply(500, {"error": "internal"})

    @app.get("/v1/health")
    async def health() -> JSONResponse:
        return reply(200, {"ok": True})

    @app.get("/v1/state")
    async def state(request: Request) -> JSONResponse:
        return await signed(request, _state)

    @app.post("/v1/push")
    async def push(request: Request) -> JSONResponse:
        return await signed(request, _push)

    @app.post("/v1/epoch")
    async def epoch(request: Request) -> JSONResponse:
        return await signed(request, _epoch)

    return app


async def signed(request: Request, action: Action) -> JSONResponse:
    """Read the body, then authenticate and act in the thread pool."""
    try:
        raw = await read_body(request)
    except Refusal as r:
        return reply(r.status, r.reply)
    # The kiosk signed the target as it sent it: the raw path and query, not a decoded form.
    path = request.scope.get("raw_path", request.url.path.encode())
    query = request.scope.get("query_string", b"")
    target = (path + b"?" + query if query else path).decode("latin-1")
    status, fields = await run_in_threadpool(
        _handle, action, request.method, target, signed_headers(request.headers), raw,
        request.headers.get("content-encoding"))
    return reply(status, fields)


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


def _handle(action: Action, method: str, target: str, headers: dict, raw: bytes,
            encoding: str | None) -> tuple[int, dict]:
    now = time.time()
    with db.connection_context():
        try:
            # A transaction of its own: the nonce stays recorded whatever the action does.
            with write():
                kiosk = authenticate(method, target, headers, raw, now)
        except AuthError as e:
            log.warning("%s %s refused: %s (X-Kiosk %r)", method, target, e.code, headers.get("X-Kiosk"))
            return 401, {"error": e.code}
        try:
            return 200, action(kiosk, raw, encoding, now)
        except Refusal as r:
            log.warning("%s %s from %s refused: %s", method, target, kiosk.kiosk_id, r.reply)
            return r.status, r.reply


def _state(kiosk: Kiosk, raw: bytes, encoding: str | None, now: float) -> dict:
    return {"kiosk_id": kiosk.kiosk_id, "site": kiosk.site.code, "epoch": kiosk.epoch,
            "acked_seq": kiosk.acked_seq}


def _push(kiosk: Kiosk, raw: bytes, encoding: str | None, now: float) -> dict:
    batch = ingest.parse_batch(body.decode(raw, encoding), kiosk.kiosk_id)
    return ingest.push(kiosk.id, batch, now)


def _epoch(kiosk: Kiosk, raw: bytes, encoding: str | None, now: float) -> dict:
    ingest.parse_epoch_request(body.decode(raw, encoding), kiosk.kiosk_id)
    return ingest.new_epoch(kiosk.id)
