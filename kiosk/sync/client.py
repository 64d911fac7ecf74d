"""Signed requests to the bureau, over HTTPS with its certificate checked (plain HTTP only on
loopback: kiosk/config.py), each reply read up to MAX_REPLY bytes and no further
(docs/sync-protocol.md §3.5).  A successful reply carries the bureau's clock, which the kiosk
keeps as an offset: timestamps it signs follow the bureau's clock, not its own, which may be
years off after a dead clock battery (§3.3; F9 in §12).  An error reply's clock is never taken:
anyone between the two could send one."""

import gzip
import json
import logging
import ssl
import time
import zlib
from dataclasses import dataclass
from types import SimpleNamespace

import httpx

from contract import signing
from kiosk.store.db import write
from kiosk.sync import state

log = logging.getLogger(__name__)

GZIP_FROM = 1024  # bodies smaller than this go as they are
OFFSET_SLACK_MS = 1000  # the bureau's clock is kept again only when it moved more than this
# A reply, inflated, is read up to this and no further: a pull page of 1,000 members is under
# 1 MiB, and a hostile reply (or a gzip bomb) must not take the kiosk's memory.
MAX_REPLY = 8 * 1024 * 1024


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
            base_url=settings.sync.url.rstrip("/"),
            timeout=settings.sync.timeout_s,
            transport=transport,
            verify=tls(settings.sync.ca_file),
            headers={"Accept-Encoding": "gzip"},  # the one encoding _read() inflates
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
        """Send, signed; a 401 for a stale timestamp takes the bureau's clock from a reply that
        succeeded (GET /v1/health) and tries once more."""
        body, headers = raw, {"Content-Type": "application/json"}
        if len(raw) >= GZIP_FROM:
            body, headers["Content-Encoding"] = gzip.compress(raw, 6), "gzip"
        reply = self._send(method, target, body, headers)
        if reply.status == 401 and reply.data.get("error") == "stale_timestamp":
            self._exchange("GET", "/v1/health", b"", {})
            log.warning(
                "the bureau says our clock is off; using its time (offset %d ms)", state.get_int("clock_offset_ms")
            )
            reply = self._send(method, target, body, headers)
        return reply

    def _send(self, method: str, target: str, body: bytes, headers: dict) -> Reply:
        offset = state.get_int("clock_offset_ms")
        signed = signing.sign(self.key, method, target, int(time.time() + offset / 1000), body)
        return self._exchange(method, target, body, {**headers, **signed, "X-Kiosk": self.kiosk_id})

    def _exchange(self, method: str, target: str, body: bytes, headers: dict) -> Reply:
        """One request and its reply; the bureau's clock is kept from a reply that succeeded."""
        sent = time.time()
        try:
            with self.http.stream(method, target, content=body, headers=headers) as response:
                raw = _read(response)
        except (httpx.HTTPError, zlib.error) as e:  # zlib.error: a garbled gzip reply
            raise Unreachable(f"{type(e).__name__}: {e}") from None
        try:
            data = json.loads(raw)
        except ValueError:
            data = {}
        if response.status_code >= 500 or response.status_code == 429 or not isinstance(data, dict):
            raise Unreachable(f"HTTP {response.status_code}")
        if response.is_success and "server_time" in data:
            # The middle of the round trip is the best guess of when the bureau read its clock.
            middle = (sent + time.time()) / 2
            offset = round((float(data["server_time"]) - middle) * 1000)
            if abs(offset - state.get_int("clock_offset_ms")) > OFFSET_SLACK_MS:  # no write a request
                with write():
                    state.put(clock_offset_ms=offset)
        return Reply(response.status_code, data)


def tls(ca_file: str) -> ssl.SSLContext | bool:
    """How the bureau's certificate is checked: against `ca_file` alone (a private CA) when set,
    else against the public CAs."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else True


def _read(response: httpx.Response) -> bytes:
    """The reply's body, inflated a piece at a time and given up on past MAX_REPLY bytes."""
    encoding = response.headers.get("Content-Encoding", "identity").lower()
    if encoding not in ("identity", "gzip"):
        raise Unreachable(f"the reply's Content-Encoding {encoding[:20]!r} is not gzip")
    inflate = zlib.decompressobj(wbits=31) if encoding == "gzip" else None
    out = bytearray()
    for chunk in response.iter_raw():
        while chunk:
            if inflate is None:
                piece, chunk = chunk, b""
            else:  # never more than the room left (+1), however much the piece would inflate to
                piece = inflate.decompress(chunk, MAX_REPLY + 1 - len(out))
                chunk = inflate.unconsumed_tail
            out += piece
            if len(out) > MAX_REPLY:
                raise Unreachable(f"the reply is over {MAX_REPLY} bytes: not read further")
    return bytes(out)
