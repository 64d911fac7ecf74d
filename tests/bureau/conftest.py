"""Fixtures for the bureau tests: real stores and a real server.

Every test that takes `store_url` runs twice: on a SQLite file in tmp_path and on a fresh
database of a private PostgreSQL 15 cluster (started once per session, as user postgres).
`server` is `python -m bureau serve` on 127.0.0.1, forked by a launcher that has done its imports
(tests/bureau/launcher.py), and `client` signs its requests with contract/signing.py as a kiosk
would.  Nothing is shared between tests.
"""

import gzip
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from uuid6 import uuid7

from bureau import admin, sealing, streams
from bureau.models import Kiosk
from bureau.schema import open_store
from bureau.store import close_store
from bureau.store import write as bureau_write
from contract import signing
from kiosk import config
from kiosk.store.db import db as kiosk_db
from kiosk.store.db import open_db
from tests.bureau.launcher import Child, Launcher
from tests.kiosk.builders import MEMBER_PREFIX
from tests.kiosk.conftest import write_site_file
from tests.waiting import answers, wait_until
from tools import pgcluster
from tools.checkout import ROOT
from tools.pgcluster import free_port, stop_process

SITE = "DEMO-001"
SITE_NAME = "示范区老干部活动中心"

# Every bureau of these tests, in this process and in the ones it starts, seals its kiosk keys
# with a secret of this test session, as production does (bureau/sealing.py).
os.environ.setdefault(sealing.ENV, secrets.token_hex(32))


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_cluster():
    """A private PostgreSQL 15 cluster for the whole session (tools/pgcluster.py).  fsync off: a
    test cluster need not survive a power cut, and CREATE DATABASE per test is faster."""
    try:
        with pgcluster.cluster(fsync=False) as cluster:
            yield cluster
    except RuntimeError as e:
        pytest.fail(str(e))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A new, empty store: a SQLite file, or a database made from template0 (dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bureau.db'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"bureau_{uuid.uuid4().hex[:12]}"
    cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield cluster.url(name)
    cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def store(store_url):
    """The store opened in the test process too, to set up and to check what the server wrote."""
    database = open_store(store_url)
    yield database
    close_store()


# --- the bureau ---------------------------------------------------------------------------------


def bureau_env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def cli(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m bureau --db url args…`, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "bureau", "--db", url, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=bureau_env(),
        timeout=60,
    )


@dataclass
class Server:
    url: str
    process: Child
    log: Path

    def peak_rss_kib(self) -> int:
        """The server process's peak resident memory so far (VmHWM), in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc/<pid>/status")


@pytest.fixture(scope="session")
def launcher():
    """Forks `python -m bureau serve` with the imports done (tests/bureau/launcher.py)."""
    started = Launcher(bureau_env())
    yield started
    started.close()


@pytest.fixture
def server(store, store_url, tmp_path, launcher):
    """`python -m bureau serve` on a free port of 127.0.0.1, ready (its /v1/health answers)."""
    port = free_port()
    log = tmp_path / "server.log"
    process = launcher.start(["serve", "--db", store_url, "--port", str(port)], tmp_path, bureau_env(), log)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the bureau exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        return answers(url + "/v1/health")

    try:
        wait_until(ready, 30, "the bureau to answer /v1/health")
        yield Server(url, process, log)
    finally:
        stop_process(process)


@pytest.fixture
def kiosk(store) -> Kiosk:
    """Kiosk DEMO-001-K01 of site DEMO-001, registered through bureau.admin; the site's member
    numbers start with the prefix a real kiosk's site file gives (tests/kiosk/builders.py)."""
    admin.add_site(SITE, SITE_NAME, prefix=MEMBER_PREFIX)
    return admin.add_kiosk(SITE, "front desk")


@pytest.fixture
def client(server, kiosk):
    with Client(server.url, kiosk.kiosk_id, kiosk.key) as c:
        yield c


@pytest.fixture
def settings(tmp_path, server, kiosk):
    """A kiosk's settings as `kiosk` syncing with `server`, and its kiosk.db open."""
    site = write_site_file(
        tmp_path,
        f'[kiosk]\nid = "{kiosk.kiosk_id}"\n[sync]\nurl = "{server.url}"\nkey = "{kiosk.key}"\n',
        name="kiosk.toml",
    )
    settings = config.load(site, tmp_path / "kiosk-data")
    open_db(settings.kiosk.data_dir)
    yield settings
    kiosk_db.close()


# --- a kiosk's side of the protocol ---------------------------------------------------------------


class Client:
    """Signed requests to the bureau, as the kiosk's sync client makes them."""

    def __init__(self, url: str, kiosk_id: str, key: str):
        self.kiosk_id, self.key = kiosk_id, key
        self.http = httpx.Client(base_url=url, timeout=60)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.http.close()

    def headers(
        self,
        method: str,
        target: str,
        body: bytes = b"",
        *,
        key: str | None = None,
        timestamp: int | None = None,
        nonce: str | None = None,
    ) -> dict:
        stamp = int(time.time()) if timestamp is None else timestamp
        return {"X-Kiosk": self.kiosk_id, **signing.sign(key or self.key, method, target, stamp, body, nonce)}

    def send(self, method: str, target: str, body: bytes = b"", headers: dict | None = None, **sign) -> httpx.Response:
        """Send `body` signed (headers given replace or add to the signed ones)."""
        signed = self.headers(method, target, body, **sign)
        return self.http.request(method, target, content=body, headers={**signed, **(headers or {})})

    def state(self, **sign) -> httpx.Response:
        return self.send("GET", "/v1/state", **sign)

    def push(self, batch: dict, *, compress: bool = False, **sign) -> httpx.Response:
        body = json.dumps(batch, ensure_ascii=False).encode()
        if compress:
            return self.send("POST", "/v1/push", gzip.compress(body), {"Content-Encoding": "gzip"}, **sign)
        return self.send("POST", "/v1/push", body, **sign)

    def new_epoch(self) -> httpx.Response:
        return self.send("POST", "/v1/epoch", json.dumps({"kiosk_id": self.kiosk_id}).encode())


def fact(seq: int, kind: str = "signin", payload=None, **fields) -> dict:
    """One outbox fact as the kiosk sends it (fields override the defaults)."""
    event = {
        "event_id": str(uuid7()),
        "seq": seq,
        "kind": kind,
        "schema_v": 1,
        "wall_ms": int(time.time() * 1000),
        "payload": signin(seq) if payload is None else payload,
    }
    return {**event, **fields}


def signin(seq: int) -> dict:
    """A sign-in's payload as kiosk.checkin.signin.record_sign_in writes it (contract.payloads.Signin)."""
    return {
        "member_no": f"DM{seq:04d}",
        "kind": "lesson",
        "item_id": 7,
        "title": "太极拳",
        "start": "2026-11-20T09:00:00",
        "at": "2026-11-20T09:01:00",
        "method": "idcard",
    }


def batch(kiosk_id: str, events: list[dict], epoch: int = 1, client_version: str = "0.1.0") -> dict:
    return {
        "kiosk_id": kiosk_id,
        "epoch": epoch,
        "first_seq": events[0]["seq"],
        "last_seq": events[-1]["seq"],
        "client_version": client_version,
        "events": events,
    }


def record_newer_kind(kind: str, event_id: str, payload: dict, now) -> int:
    """A fact of a kind this kiosk's code never writes (as a newer kiosk would): straight into the
    outbox, past kiosk.store.facts.record's check.  Its seq."""
    from contract.facts import SCHEMA_V
    from kiosk.store.db import insert
    from kiosk.store.facts import payload_text
    from kiosk.store.models import Outbox

    return insert(
        Outbox,
        event_id=event_id,
        kind=kind,
        schema_v=SCHEMA_V,
        wall_ms=int(now.timestamp() * 1000),
        payload=payload_text(payload),
    )


def member_fact(member_no: str, id_hash: str | None, name: str = "王建华", **fields) -> tuple[str, dict]:
    """A member fact as a kiosk pushes one (with the last 4 and birth year an older kiosk sent)."""
    return "member", {
        "member_no": member_no,
        "name": name,
        "gender": "男",
        "birth_year": 1950,
        "id_hash": id_hash,
        "id_last4": "8241",
        "phone_last4": "1234",
        "joined": "2026-01-05",
        "active": True,
        **fields,
    }


def member_row(no: str, name: str, **fields) -> dict:
    """A row of the "members" stream as the bureau's rules publish it."""
    return {
        "member_no": no,
        "name": name,
        "gender": "女",
        "id_hash": None,
        "phone_last4": "",
        "site": SITE,
        "joined": "2026-09-01",
        "active": True,
        "merged_into": None,
        "balance": 0,
        **fields,
    }


def publish_members(*numbers: str) -> None:
    """Members 成员<no> of the test's site, published as the rules would."""
    with bureau_write():
        for no in numbers:
            streams.publish("members", no, member_row(no, f"成员{no}"), f"site:{SITE}")
