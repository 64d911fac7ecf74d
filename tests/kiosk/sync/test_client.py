"""The sync client against a bureau that answers badly (a real HTTP server on loopback, hostile
or broken): it takes the bureau's clock only from a reply that succeeded, and reads a reply only
up to MAX_REPLY bytes, inflated, however it comes (docs/sync-protocol.md §3.3, §4)."""

import json
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk import config
from kiosk.sync import state
from kiosk.sync.client import MAX_REPLY, Bureau, Unreachable
from tests.kiosk.conftest import write_site_file

YEARS_AHEAD = 10 * 365 * 24 * 3600
Answer = Callable[[BaseHTTPRequestHandler], None]


class HostileBureau:
    """An HTTP server on 127.0.0.1 answering each path with answers[path](handler); it records the
    paths asked, in order."""

    def __init__(self, answers: dict[str, Answer]):
        self.answers, self.asked = answers, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                outer.asked.append(self.path.split("?")[0])
                outer.answers[self.path.split("?")[0]](self)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
    handler.send_response(status)
    for name, value in {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **(headers or {}),
    }.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def json_reply(status: int, fields: dict) -> Answer:
    return lambda handler: send(handler, status, json.dumps(fields).encode())


@pytest.fixture
def hostile(request):
    made = []

    def make(answers: dict[str, Answer]) -> tuple[Bureau, HostileBureau]:
        """The kiosk's client of a new HostileBureau, and that bureau."""
        bureau_at = HostileBureau(answers)
        path = write_site_file(
            request.getfixturevalue("tmp_path"),
            f'[kiosk]\nid = "K1"\n[sync]\nurl = "{bureau_at.url}"\nkey = "{"ab" * 32}"\ntimeout_s = 10.0\n',
            name="hostile.toml",
        )
        kiosk = Bureau(config.load(path, request.getfixturevalue("settings").kiosk.data_dir))
        made.append((bureau_at, kiosk))
        return kiosk, bureau_at

    yield make
    for bureau_at, kiosk in made:
        kiosk.close()
        bureau_at.close()


def test_an_error_reply_never_sets_the_clock_and_a_good_one_does(database, hostile):
    bureau, _ = hostile(
        {
            "/v1/state": json_reply(401, {"error": "bad_signature", "server_time": time.time() + YEARS_AHEAD}),
            "/v1/checksum": json_reply(409, {"error": "epoch", "server_time": time.time() - YEARS_AHEAD}),
            "/v1/pull": json_reply(200, {"items": [], "server_time": time.time() + 3600}),
        }
    )
    assert bureau.get("/v1/state").status == 401 and bureau.get("/v1/checksum").status == 409
    assert state.get_int("clock_offset_ms") == 0
    assert bureau.get("/v1/pull").status == 200
    assert abs(state.get_int("clock_offset_ms") - 3600_000) < 5000


def test_a_stale_timestamp_takes_the_clock_from_the_health_reply_not_from_the_refusal(database, hostile):
    year = 365 * 24 * 3600
    answers = iter([json_reply(401, {"error": "stale_timestamp", "server_time": time.time() + YEARS_AHEAD})])

    def state_reply(handler):  # refused once (claiming ten years ahead), then answered
        next(answers, json_reply(200, {"epoch": 1, "server_time": time.time() - year}))(handler)

    bureau, at = hostile(
        {"/v1/state": state_reply, "/v1/health": lambda h: json_reply(200, {"server_time": time.time() - year})(h)}
    )
    assert bureau.get("/v1/state").status == 200
    assert at.asked == ["/v1/state", "/v1/health", "/v1/state"]
    assert abs(state.get_int("clock_offset_ms") / 1000 + year) < 60  # the health reply's year behind


def test_a_reply_past_the_bound_is_given_up_on(database, hostile):
    def endless(handler):  # no Content-Length: chunks until the client hangs up
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"[" * 65536
        try:
            while True:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass

    bureau, _ = hostile({"/v1/pull": endless, "/v1/state": json_reply(200, {"pad": "x" * (MAX_REPLY - 100)})})
    with pytest.raises(Unreachable, match="over"):
        bureau.get("/v1/pull")
    assert bureau.get("/v1/state").status == 200  # under the bound, whole


def test_a_gzip_bomb_is_inflated_only_up_to_the_bound(database, hostile):
    deflate = zlib.compressobj(9, wbits=31)
    spaces = b" " * (1024 * 1024)
    bomb = b"".join(deflate.compress(spaces) for _ in range(8 * MAX_REPLY // len(spaces))) + deflate.flush()
    assert len(bomb) < MAX_REPLY // 64  # 64 MiB of spaces in well under 128 KiB
    bureau, _ = hostile({"/v1/pull": lambda handler: send(handler, 200, bomb, {"Content-Encoding": "gzip"})})
    tracemalloc.start()
    try:
        with pytest.raises(Unreachable, match="over"):
            bureau.get("/v1/pull")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_REPLY, f"{peak} bytes at the peak"


def test_a_garbled_gzip_reply_is_a_failure_to_try_again(database, hostile):
    bureau, _ = hostile(
        {"/v1/pull": lambda handler: send(handler, 200, b"\x1f\x8bnot gzip", {"Content-Encoding": "gzip"})}
    )
    with pytest.raises(Unreachable, match="error"):
        bureau.get("/v1/pull")
