"""Signed requests to the bureau.  Every reply carries the bureau's clock, which the kiosk keeps as
an offset: timestamps it signs follow the bureau's clock, not its own, which may be years off
after a dead clock battery (docs/sync-protocol.md §3.3; F9 in §12)."""

import gzip
import json
import logging
import time
from dataclasses import dataclass
from types import SimpleNamespace

import httpx

from contract import signing
from kiosk.store.db import write
from kiosk.sync import state

log = logging.getLogger(__name__)

GZIP_FROM = 1024  # bodies smaller than this go as they are
OFFSET_SLACK_MS = 1000  # the bureau's clock is kept again only when it moved more than this


class Unreachable(Exception):
    """The bureau could not be reached or did not answer: try again later."""


@dataclass(frozen=True)
class Reply:
    status: int
    data: dict


class Bureau:
    """The bureau as this kiosk sees it: its address, this kiosk's id and key."""

    def __init__(self, settings: SimpleNamespace, transport: httpx.BaseTransport | None = None):
        self.kiosk_id, self.key = settings.kiosk.id, settings.sync.key
        self.http = httpx.Client(
            base_url=settings.sync.url.rstrip("/"), timeout=settings.sync.timeout_s, transport=transport
        )

    def close(self) -> None:
        self.http.close()

    def post(self, path: str, body: dict | bytes) -> Reply:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return self.request("POST", path, raw)

    def get(self, path: str, params: dict | None = None) -> Reply:
        target = path + ("?" + str(httpx.QueryParams(params)) if params else "")
        return self.request("GET", target, b"")

    def request(self, method: str, target: str, raw: bytes) -> Reply:
        """Send, signed; a 401 for a stale timestamp takes the bureau's clock and tries once more."""
        body, headers = raw, {"Content-Type": "application/json"}
        if len(raw) >= GZIP_FROM:
            body, headers["Content-Encoding"] = gzip.compress(raw, 6), "gzip"
        reply = self._send(method, target, body, headers)
        if reply.status == 401 and reply.data.get("error") == "stale_timestamp":
            log.warning(
                "the bureau says our clock is off; using its time (offset %d ms)", state.get_int("clock_offset_ms")
            )
            reply = self._send(method, target, body, headers)
        return reply

    def _send(self, method: str, target: str, body: bytes, headers: dict) -> Reply:
        offset = state.get_int("clock_offset_ms")
        signed = signing.sign(self.key, method, target, int(time.time() + offset / 1000), body)
        sent = time.time()
        try:
            response = self.http.request(
                method, target, content=body, headers={**headers, **signed, "X-Kiosk": self.kiosk_id}
            )
        except httpx.HTTPError as e:
            raise Unreachable(f"{type(e).__name__}: {e}") from None
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 500 or response.status_code == 429 or not isinstance(data, dict):
            raise Unreachable(f"HTTP {response.status_code}")
        if "server_time" in data:
            # The middle of the round trip is the best guess of when the bureau read its clock.
            middle = (sent + time.time()) / 2
            offset = round((float(data["server_time"]) - middle) * 1000)
            if abs(offset - state.get_int("clock_offset_ms")) > OFFSET_SLACK_MS:  # no write a request
                with write():
                    state.put(clock_offset_ms=offset)
        return Reply(response.status_code, data)
