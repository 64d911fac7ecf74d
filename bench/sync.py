"""Sync with the bureau at scale (docs/sync-protocol.md §13), on SQLite and on PostgreSQL.

backlog  a 30-day backlog of one kiosk (30,000 facts: sign-ins with their points, some members,
         enrolments and device facts, as kiosk code writes them) drained from a real kiosk.db
         through the real client (kiosk.sync.push.push_all) to a real `python -m bureau serve`
         on loopback.  Target ≤ 5 s.
ingest   the bureau's own rate: five trials of 10,000 facts, each as 20 gzipped pushes made
         beforehand, signed as they are sent one after another on one keep-alive connection by
         a lean client (the standard library's http.client: httpx took ~2 ms of CPU a push from
         the same 2 cores), facts/s, target ≥ 5,000/s; and its ratio to a raw bulk insert of the same
         Event rows into the same table with the driver itself (sqlite3 / psycopg2: a multi-row
         INSERT … ON CONFLICT DO NOTHING of 500 rows, a transaction each), target ≥ 0.5.  The
         raw insert's connection has the store's own settings: on SQLite WAL, synchronous=FULL
         and foreign keys checked, as the bureau's connections have them and as PostgreSQL always
         checks them.  On SQLite the same rows also go into a third file on a plain connection,
         foreign keys unchecked, and the ratio to that is printed too.  Each push is sent right
         after the raw inserts of its own 500 rows, so they meet the same moment of this shared
         machine (timed a trial apart, either moved by a third between trials); a ratio is the
         raw inserts' time over the pushes'.  The medians of the trials are the figures.  The
         same push path is also timed without HTTP and without the bureau's rules worker
         (authenticate + ingest in this process), to tell the three apart.
storm    200 kiosks × 1,000 facts pushed by 16 concurrent pushers (processes, each a real client
         with the kiosk's own id, key and kiosk.db): total time, facts/s, p99 request time
         (target < 2 s), 5xx (target 0), and the check that the bureau holds every fact once:
         count == distinct event_ids == 200,000, and each kiosk's seqs exactly 1..1,000.
wire     bytes per fact of the backlog's requests: as sent (gzip) and as raw JSON.  Targets
         ≤ 50 B and ≤ 300 B.
workers  the ingest rate of `serve --workers N` on PostgreSQL for N = 1, 2 and 4, as production
         runs it (packaging/bureau/yinling-bureau.service): 8 kiosks' pushes of 5,000 facts each,
         made beforehand, sent at once by 8 lean pushers (processes, one keep-alive connection
         each, signed as they are sent), so every worker has requests waiting; a fresh store for
         each N.  Facts/s from the start signal to the last reply, p99 request, the CPU of the
         bureau's whole process tree (workers and rules process), and when the rules were done.
         On a machine of C cores the rate stops growing at about N = C: workers, pushers and
         PostgreSQL share them.  `python -m bench.sync --workers 1,2,4` runs this part alone.

Each part ends when the bureau's rules (bureau/rules.py, a process beside the server) have
applied every fact: "rules done after" is that time from the part's first push.
PostgreSQL is a private cluster with fsync on; SQLite runs with synchronous=FULL (both printed).
Wall-clock on a shared machine: every part also prints the bureau process's CPU seconds and the
load average.  `python -m bench.sync --quick` runs it all small (the smoke test does).
"""

import base64
import gc
import gzip
import json
import multiprocessing
import os
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path
from statistics import median
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
from uuid6 import uuid7

from bench import Figure, percentile
from kiosk.store import facts

BACKLOG_TARGET_S = 5.0
RATE_TARGET, RATIO_TARGET = 5_000, 0.5
P99_TARGET_S = 2.0
GZIP_TARGET_B, RAW_TARGET_B = 50, 300
SITE = "BENCH-001"
BATCH = 500
INGEST_TRIALS = 5
SEED = 20261121


@dataclass(frozen=True)
class Size:
    backlog: int = 30_000  # facts of the 30-day backlog (and as many pushed in process)
    per_trial: int = 10_000  # facts of each ingest trial
    kiosks: int = 200
    per_kiosk: int = 1_000
    pushers: int = 16
    members: int = 3_000  # the site's roster, known to the bureau before the kiosks push
    worker_pushers: int = 8  # the workers part: kiosks pushing at once, one a pusher process
    per_worker_pusher: int = 5_000  # facts each of them pushes
    pull_rounds: int = 20  # then pull cycles of each (7 streams, nothing new), then 7 × as many /v1/heads


FULL = Size()
QUICK = Size(
    backlog=600,
    per_trial=200,
    kiosks=3,
    per_kiosk=200,
    pushers=2,
    members=50,
    worker_pushers=2,
    per_worker_pusher=500,
    pull_rounds=2,
)
WORKER_COUNTS = (1, 2, 4)


@dataclass
class Requests:
    """What a client sent: per request its seconds, raw and sent bytes, and the 5xx it met."""

    seconds: list[float] = field(default_factory=list)
    raw_bytes: int = 0
    sent_bytes: int = 0
    server_errors: int = 0


@dataclass(frozen=True)
class Phase:
    seconds: float  # the pushes, from the first sent to the last answered (ingest: their own time)
    server_cpu_s: float  # the bureau process's CPU meanwhile (its rules worker's too)
    rules_s: float  # from the first push until the rules had applied every fact


@dataclass
class Measured:
    store: str
    durability: str  # synchronous=FULL / fsync=on
    backlog: Phase
    backlog_requests: Requests
    ingest: list[Phase]  # per trial
    direct_s: float  # the same number of facts through the push path in this process
    raw_s: list[float]  # per trial: the raw insert of the trial's rows
    plain_raw_s: list[float]  # the same on SQLite on a plain connection (foreign keys unchecked)
    storm: Phase
    storm_requests: Requests
    stored: int  # Event rows at the end
    distinct: int
    contiguous: bool  # every storm kiosk's seqs are exactly 1..per_kiosk, acked


# --- facts as a kiosk writes them ------------------------------------------------------------------

_TITLES = (
    "书法（1）班",
    "太极拳（2）班",
    "声乐合唱（1）班",
    "智能手机（3）班",
    "国画（2）班",
    "八段锦（1）班",
    "重阳节文艺汇演",
    "健康讲座：冬季养生",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"


def outbox_rows(n: int, kiosk_id: str, rng: random.Random, members: int, days: int = 30) -> list[tuple]:
    """`n` outbox rows (event_id, kind, schema_v, wall_ms, payload) of `days` days at one kiosk:
    sign-ins of the site's `members` each with its points fact (as kiosk.checkin.signin.record_sign_in),
    and now and then a new member, an enrolment or a device report, in time order."""
    start = datetime(2026, 10, 22, 8, 30)
    step = timedelta(days=days) / max(1, n)
    rows: list[tuple] = []
    while len(rows) < n:
        now = start + step * len(rows)
        for event_id, kind, payload in _facts(kiosk_id, now, rng, members):
            rows.append((event_id, kind, 1, int(now.timestamp() * 1000), facts.payload_text(payload)))
    return rows[:n]


def roster_rows(members: int, rng: random.Random) -> list[tuple]:
    """A "member" fact for each of the site's members: pushed before the figures are taken."""
    now = datetime(2026, 10, 1, 9, 0)
    return [
        (str(uuid7()), "member", 1, int(now.timestamp() * 1000), facts.payload_text(_member(f"BN{n:05d}", now, rng)))
        for n in range(members)
    ]


def _member(member_no: str, now: datetime, rng: random.Random) -> dict:
    return {
        "member_no": member_no,
        "name": rng.choice(_SURNAMES) + "建华",
        "gender": rng.choice("男女"),
        "id_hash": base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode(),  # contract.idhash's form
        "phone_last4": f"{rng.randrange(10000):04d}",
        "site": SITE,
        "joined": now.date().isoformat(),
        "active": True,
        "at": now.isoformat(),
    }


def _facts(kiosk_id: str, now: datetime, rng: random.Random, members: int) -> list[tuple[str, str, dict]]:
    member_no = f"BN{rng.randrange(members):05d}"
    roll = rng.random()
    if roll < 0.03:
        return [(str(uuid7()), "member", _member(f"BN{rng.randrange(10**5, 10**6)}", now, rng))]
    if roll < 0.05:
        return [
            (
                str(uuid7()),
                "enrollment",
                {
                    "member_no": member_no,
                    "course_id": rng.randrange(1, 300),
                    "status": "enrolled",
                    "at": now.isoformat(),
                    "kiosk_id": kiosk_id,
                    "site": SITE,
                },
            )
        ]
    if roll < 0.06:
        return [
            (
                str(uuid7()),
                "device",
                {
                    "device": "idcard",
                    "kind": "idcard",
                    "port": "/dev/ttyUSB0",
                    "state": "connected",
                    "reads": rng.randrange(5000),
                    "faults": 0,
                    "disconnects": rng.randrange(3),
                    "last_error": "",
                    "at": now.isoformat(),
                    "kiosk_id": kiosk_id,
                    "site": SITE,
                },
            )
        ]
    kind = "lesson" if rng.random() < 0.8 else "activity"
    title = rng.choice(_TITLES)
    item_start = now.replace(minute=0, second=0, microsecond=0)
    signin_id = str(uuid7())
    signin = {
        "member_no": member_no,
        "kind": kind,
        "item_id": rng.randrange(1, 5000),
        "title": title,
        "start": item_start.isoformat(),
        "at": now.isoformat(),
        "method": rng.choice(("qr", "idcard")),
        "kiosk_id": kiosk_id,
        "site": SITE,
    }
    points = {
        "member_no": member_no,
        "amount": 2 if kind == "lesson" else 5,
        "kind": kind,
        "rule": f"{kind}_attendance",
        "rule_version": 1,
        "signin": signin_id,
        "at": now.isoformat(),
        "kiosk_id": kiosk_id,
        "site": SITE,
    }
    return [(signin_id, "signin", signin), (str(uuid7()), "points", points)]


def build_kiosk_db(template: Path, folder: Path, rows: list[tuple]) -> Path:
    """A kiosk data folder whose kiosk.db (a copy of the migrated `template`) has `rows` pending."""
    folder.mkdir(parents=True)
    shutil.copy(template / "kiosk.db", folder / "kiosk.db")
    with sqlite3.connect(folder / "kiosk.db") as connection:
        connection.executemany(
            "INSERT INTO outbox (event_id, kind, schema_v, wall_ms, payload, state) VALUES (?, ?, ?, ?, ?, 'pending')",
            rows,
        )
    connection.close()
    return folder


def migrated_template(folder: Path) -> Path:
    """An empty kiosk.db with every migration applied, made by the kiosk's own open_db."""
    from kiosk.store.db import db, open_db

    open_db(folder)
    db.close()
    return folder


# --- the kiosk side --------------------------------------------------------------------------------


def bureau_for(url: str, kiosk_id: str, key: str, requests: Requests):
    """kiosk.sync.client.Bureau as the kiosk makes it, counting what it sends and how long it waits."""
    from kiosk.sync.client import Bureau, Unreachable

    class Counted(Bureau):
        def request(self, method: str, target: str, raw: bytes):
            requests.raw_bytes += len(raw)
            return super().request(method, target, raw)

        def _send(self, method: str, target: str, body: bytes, headers: dict):
            requests.sent_bytes += len(body)
            started = time.perf_counter()
            try:
                return super()._send(method, target, body, headers)
            except Unreachable as e:
                requests.server_errors += str(e).startswith("HTTP 5")
                raise
            finally:
                requests.seconds.append(time.perf_counter() - started)

    settings = SimpleNamespace(
        kiosk=SimpleNamespace(id=kiosk_id), sync=SimpleNamespace(url=url, key=key, timeout_s=120, ca_file="")
    )
    return Counted(settings)


def drain(folder: Path, url: str, kiosk_id: str, key: str, requests: Requests) -> int:
    """Open the kiosk.db in `folder` and push its whole outbox: the seq the bureau acknowledged
    last.  A 5xx (counted) is retried at once, as the kiosk's worker would after its backoff."""
    from kiosk.store.db import db, open_db
    from kiosk.sync import state
    from kiosk.sync.client import Unreachable
    from kiosk.sync.push import push_all

    open_db(folder)
    bureau = bureau_for(url, kiosk_id, key, requests)
    try:
        for _ in range(10):
            try:
                push_all(bureau, BATCH)
                return state.get_int("acked_seq")
            except Unreachable:
                continue
        raise RuntimeError(f"{kiosk_id}: the bureau kept failing")
    finally:
        bureau.close()
        db.close()


def _pusher(url: str, jobs, results, ready, go) -> None:
    """A storm pusher process: take kiosks off `jobs` until its None, drain each."""
    ready.put(os.getpid())
    go.wait()
    requests = Requests()
    while (job := jobs.get()) is not None:
        folder, kiosk_id, key = job
        drain(Path(folder), url, kiosk_id, key, requests)
    results.put((requests.seconds, requests.raw_bytes, requests.sent_bytes, requests.server_errors))


def storm(url: str, kiosks: list[tuple[str, str, str]], pushers: int) -> tuple[float, Requests]:
    """Push every kiosk's outbox with `pushers` processes at once: the seconds from the start
    signal until the last is done, and the requests of all."""
    context = multiprocessing.get_context("spawn")  # no store connection inherited
    jobs, results, ready, go = context.Queue(), context.Queue(), context.Queue(), context.Event()
    for job in [*kiosks, *[None] * pushers]:
        jobs.put(job)
    processes = [context.Process(target=_pusher, args=(url, jobs, results, ready, go)) for _ in range(pushers)]
    for p in processes:
        p.start()
    for _ in processes:
        ready.get(timeout=120)
    started = time.perf_counter()
    go.set()
    total = Requests()
    for _ in processes:
        seconds, raw, sent, errors = results.get(timeout=1800)
        total.seconds += seconds
        total.raw_bytes += raw
        total.sent_bytes += sent
        total.server_errors += errors
    elapsed = time.perf_counter() - started
    for p in processes:
        p.join()
    if any(p.exitcode for p in processes):
        raise RuntimeError("a pusher failed (see above)")
    return elapsed, total


def push_directly(store_url: str, kiosk_id: str, key: str, bodies: list[bytes]) -> float:
    """The bureau's push path without HTTP and without its rules worker, in this process: what
    bureau.app runs in its thread pool for POST /v1/push."""
    from bureau import app
    from bureau.schema import open_store
    from bureau.store import close_store, db
    from contract import signing

    open_store(store_url)
    thresholds = gc.get_threshold()
    app.tune_gc()  # as the server does at start-up
    try:
        with db.connection_context():
            started = time.perf_counter()
            for raw in bodies:
                headers = {"X-Kiosk": kiosk_id, **signing.sign(key, "POST", "/v1/push", int(time.time()), raw)}
                status, reply = app._push("POST", "/v1/push", headers, raw, "gzip")
                if status != 200:
                    raise RuntimeError(f"push refused: {status} {reply}")
            return time.perf_counter() - started
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        close_store()


def signed_pushes(folder: Path, kiosk_id: str) -> list[bytes]:
    """The kiosk's outbox as the gzipped bodies push_all would send (built by its own _body)."""
    from kiosk.store.db import db, open_db
    from kiosk.sync import push

    open_db(folder)
    try:
        rows = db.execute_sql(push._BATCH, (0, 10**9)).fetchall()
        return [gzip.compress(push._body(kiosk_id, 1, rows[i : i + BATCH]), 6) for i in range(0, len(rows), BATCH)]
    finally:
        db.close()


def ingest_trial(
    url: str, kiosk_id: str, key: str, bodies: list[bytes], raws: list["RawInsert"]
) -> tuple[list[float], float]:
    """POST each body signed, one after another on one connection, each right after the raw
    inserts of its own rows: (seconds of each RawInsert, seconds of the pushes)."""
    from contract import signing

    address = urlsplit(url)
    http = HTTPConnection(address.hostname, address.port, timeout=120)
    raw_s, push_s = [0.0] * len(raws), 0.0
    inserted = 0
    try:
        for i, body in enumerate(bodies):
            for j, raw in enumerate(raws):
                raw_s[j] += raw.insert(i)
            started = time.perf_counter()
            headers = {
                "X-Kiosk": kiosk_id,
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                **signing.sign(key, "POST", "/v1/push", int(time.time()), body),
            }
            http.request("POST", "/v1/push", body, headers)
            response = http.getresponse()
            reply = response.read()
            push_s += time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"push refused: {response.status} {reply[:300]!r}")
            inserted += json.loads(reply)["inserted"]
    finally:
        http.close()
    if inserted != len(raws[0].rows):
        raise RuntimeError(f"the bureau stored {inserted} of {len(raws[0].rows)} facts")
    return raw_s, push_s


# --- the bureau side -------------------------------------------------------------------------------


@dataclass
class Bureau:
    url: str
    process: subprocess.Popen

    def cpu_s(self) -> float:
        """The server process's CPU seconds so far (user + system)."""
        return _cpu_s(self.process.pid)

    def tree_cpu_s(self) -> float:
        """The CPU seconds so far of the server and every process under it (uvicorn's workers,
        the rules process)."""
        return tree_cpu_s(self.process.pid)


def _cpu_s(pid: int, reaped: bool = False) -> float:
    """A process's CPU seconds (user + system), and with `reaped` its children's that it waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(root: int) -> float:
    """The CPU seconds so far of process `root` and every process under it, with those of its
    children that exited and were reaped (PostgreSQL's backends come and go)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue  # gone meanwhile
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0.0
    for pid in tree:
        try:
            total += _cpu_s(pid, reaped=pid == root)
        except OSError:
            pass
    return total


@contextmanager
def serving(store_url: str, folder: Path, workers: int = 1) -> Iterator[Bureau]:
    """`python -m bureau serve --workers N` on a free port of 127.0.0.1, ready; stopped after."""
    from tools.checkout import ROOT
    from tools.pgcluster import free_port, stop_process

    port = free_port()
    with open(folder / "server.log", "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "bureau", "serve", "--db", store_url),
                *("--port", str(port), "--workers", str(workers)),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the bureau exited:\n{(folder / 'server.log').read_text()[-3000:]}")
            # Every worker started, not only the first to answer.
            started = (folder / "server.log").read_text(errors="replace").count("Application startup complete")
            try:
                if started >= workers and httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the bureau's {workers} workers did not answer /v1/health within 60 s")
            time.sleep(0.05)
        yield Bureau(url, process)
    finally:
        stop_process(process, timeout=20)


def register(store_url: str, names: list[str]) -> dict[str, tuple[str, str, int]]:
    """Site SITE and a kiosk per name: {name: (kiosk_id, key, kiosk pk)}; and the site's pk."""
    from bureau import admin
    from bureau.schema import open_store
    from bureau.store import close_store

    open_store(store_url)
    try:
        admin.add_site(SITE, "基准测试中心")
        made = {}
        for name in names:
            kiosk = admin.add_kiosk(SITE, name)
            made[name] = (kiosk.kiosk_id, kiosk.key, kiosk.id)
        return made
    finally:
        close_store()


def event_rows(rows: list[tuple], kiosk_pk: int, site_pk: int, sqlite: bool) -> list[tuple]:
    """The Event rows the bureau stores for these outbox rows, with the values it hands the
    driver (see bureau.ingest._judge: on SQLite the time as its text)."""
    received = datetime(2026, 11, 21, 9, 0, 0, 1)
    received = str(received) if sqlite else received
    return [
        (event_id.replace("-", ""), kiosk_pk, 1, seq, site_pk, kind, 1, wall_ms, received, 0, False, payload)
        for seq, (event_id, kind, _, wall_ms, payload) in enumerate(rows, 1)
    ]


_RAW_COLUMNS = "event_id, kiosk_id, epoch, seq, site_id, kind, schema_v, wall_ms, received_at, skew_ms, skewed, payload"


def store_like(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to `path` with the bureau store's own settings."""
    from bureau.store import SQLITE_PRAGMAS

    connection = sqlite3.connect(path)
    for name, value in SQLITE_PRAGMAS.items():
        connection.execute(f"PRAGMA {name} = {value}")
    return connection


@dataclass
class RawInsert:
    """The driver's own multi-row INSERT of `rows` into the event table, BATCH rows a transaction,
    on a connection of its own."""

    connection: object
    placeholder: str
    rows: list[tuple]

    def insert(self, i: int) -> float:
        """Insert the i-th BATCH of rows and commit: the seconds it took."""
        chunk = self.rows[i * BATCH : (i + 1) * BATCH]
        values = "(" + ", ".join([self.placeholder] * 12) + ")"
        started = time.perf_counter()
        sql = (
            f"INSERT INTO event ({_RAW_COLUMNS}) VALUES {', '.join([values] * len(chunk))}"
            " ON CONFLICT (event_id) DO NOTHING"
        )
        cursor = self.connection.cursor()
        cursor.execute(sql, [v for row in chunk for v in row])
        self.connection.commit()
        return time.perf_counter() - started


def check_storm(store_url: str, kiosk_pks: list[int], per_kiosk: int) -> tuple[int, int, bool]:
    """Event rows, distinct event ids, and whether each kiosk holds seqs 1..per_kiosk exactly, acked."""
    from peewee import fn

    from bureau.models import Event, Kiosk
    from bureau.schema import open_store
    from bureau.store import close_store, db

    open_store(store_url)
    try:
        stored, distinct = db.execute_sql("SELECT count(*), count(DISTINCT event_id) FROM event").fetchone()
        per = {
            k: (n, lo, hi, d)
            for k, n, lo, hi, d in Event.select(
                Event.kiosk, fn.count(Event.id), fn.min(Event.seq), fn.max(Event.seq), fn.count(Event.seq.distinct())
            )
            .where(Event.kiosk.in_(kiosk_pks))
            .group_by(Event.kiosk)
            .tuples()
        }
        acked = dict(Kiosk.select(Kiosk.id, Kiosk.acked_seq).where(Kiosk.id.in_(kiosk_pks)).tuples())
        whole = (per_kiosk, 1, per_kiosk, per_kiosk)
        contiguous = all(per.get(k) == whole and acked[k] == per_kiosk for k in kiosk_pks)
        return stored, distinct, contiguous
    finally:
        close_store()


# --- one store -------------------------------------------------------------------------------------


def measure(store: str, folder: Path, size: Size, cluster=None) -> Measured:
    """Every part on one store: "sqlite", or "postgresql" in `cluster` (tools.pgcluster)."""
    rng = random.Random(SEED)
    template = migrated_template(folder / "template")
    trials = [f"ingest{t}" for t in range(INGEST_TRIALS)]
    storms = [f"storm{i:03d}" for i in range(size.kiosks)]
    names = ["roster", "backlog", "direct", *trials, *storms]
    if store == "sqlite":
        store_url, raw_url = f"sqlite:///{folder / 'bureau.db'}", f"sqlite:///{folder / 'raw.db'}"
        register(f"sqlite:///{folder / 'plain.db'}", trials)  # the same pks as raw.db's

        def connect() -> list:
            return [store_like(folder / "raw.db"), sqlite3.connect(folder / "plain.db")]

        placeholder, durability = "?", "synchronous=FULL, WAL"
    else:
        store_url, raw_url = cluster.new_store("bench_sync"), cluster.new_store("bench_raw")

        def connect() -> list:
            return [cluster.connect("bench_raw")]

        placeholder = "%s"
        durability = (
            f"fsync={cluster.sql('SHOW fsync')[0][0]}, synchronous_commit="
            f"{cluster.sql('SHOW synchronous_commit')[0][0]}"
        )
    kiosks = register(store_url, names)
    raw_kiosks = register(raw_url, trials)
    site_pk = 1  # the only site of each store

    def kiosk_db(name: str, rows: list[tuple]) -> Path:
        return build_kiosk_db(template, folder / name, rows)

    roster = kiosk_db("roster", roster_rows(size.members, rng))
    backlog = kiosk_db("backlog", outbox_rows(size.backlog, kiosks["backlog"][0], rng, size.members))
    ingest_jobs = []
    for name in trials:
        rows = outbox_rows(size.per_trial, kiosks[name][0], rng, size.members)
        raw_rows = event_rows(rows, raw_kiosks[name][2], site_pk, store == "sqlite")
        ingest_jobs.append((kiosks[name][:2], signed_pushes(kiosk_db(name, rows), kiosks[name][0]), raw_rows))
    direct_bodies = signed_pushes(
        kiosk_db("direct", outbox_rows(size.backlog, kiosks["direct"][0], rng, size.members)), kiosks["direct"][0]
    )
    storm_jobs = [
        (str(kiosk_db(name, outbox_rows(size.per_kiosk, kiosks[name][0], rng, size.members))), *kiosks[name][:2])
        for name in storms
    ]

    with serving(store_url, folder) as bureau:
        untimed = Requests()
        timed(bureau, store_url, lambda: drain(roster, bureau.url, *kiosks["roster"][:2], untimed))
        backlog_requests = Requests()
        backlog_phase, acked = timed(
            bureau, store_url, lambda: drain(backlog, bureau.url, *kiosks["backlog"][:2], backlog_requests)
        )
        assert acked == size.backlog, f"the bureau acknowledged {acked} of the backlog's {size.backlog} facts"
        ingest_phases, raw_s, plain_raw_s = [], [], []
        for (kiosk_id, key), bodies, raw_rows in ingest_jobs:
            connections = connect()
            try:
                raws = [RawInsert(connection, placeholder, raw_rows) for connection in connections]
                phase, (raw_seconds, push_seconds) = timed(
                    bureau, store_url, lambda: ingest_trial(bureau.url, kiosk_id, key, bodies, raws)
                )
            finally:
                for connection in connections:
                    connection.close()
            ingest_phases.append(replace(phase, seconds=push_seconds))
            raw_s.append(raw_seconds[0])
            plain_raw_s += raw_seconds[1:]
        storm_phase, (_, storm_requests) = timed(bureau, store_url, lambda: storm(bureau.url, storm_jobs, size.pushers))

    direct_s = push_directly(store_url, *kiosks["direct"][:2], direct_bodies)
    stored, distinct, contiguous = check_storm(store_url, [kiosks[name][2] for name in storms], size.per_kiosk)
    if cluster is not None:
        for name in ("bench_sync", "bench_raw"):
            cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    return Measured(
        store,
        durability,
        backlog_phase,
        backlog_requests,
        ingest_phases,
        direct_s,
        raw_s,
        plain_raw_s,
        storm_phase,
        storm_requests,
        stored,
        distinct,
        contiguous,
    )


def timed(bureau: Bureau, store_url: str, pushes) -> tuple[Phase, object]:
    """Run `pushes`, then wait until the bureau's rules have applied every fact: its Phase and result."""
    cpu, started = bureau.cpu_s(), time.perf_counter()
    result = pushes()
    seconds, server_cpu = time.perf_counter() - started, bureau.cpu_s() - cpu
    wait_for_rules(store_url)
    return Phase(seconds, server_cpu, time.perf_counter() - started), result


# A kiosk whose acknowledged facts the rules have not all applied (bureau.rules keeps a cursor
# per kiosk and epoch).
_RULES_BEHIND = (
    'SELECT count(*) FROM "kiosk" AS k WHERE k.acked_seq > COALESCE('
    '(SELECT max(c.seq) FROM "rule_cursor" AS c WHERE c.kiosk_id = k.id AND c.epoch = k.epoch), 0)'
)


def wait_for_rules(store_url: str, timeout: float = 900) -> None:
    from bureau.schema import open_store
    from bureau.store import close_store, db

    open_store(store_url)
    try:
        deadline = time.monotonic() + timeout
        while db.execute_sql(_RULES_BEHIND).fetchone()[0]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the bureau's rules were still behind after {timeout} s")
            time.sleep(0.05)
    finally:
        close_store()


# --- workers: serve --workers N on PostgreSQL ------------------------------------------------------


@dataclass(frozen=True)
class WorkersRun:
    workers: int
    facts: int
    seconds: float  # from the start signal to the last reply
    requests: list[float]  # each push's seconds
    server_errors: int
    tree_cpu_s: float  # the bureau's processes meanwhile
    postgres_cpu_s: float  # PostgreSQL's meanwhile
    rules_s: float
    total_cpu_s: float  # the bureau's and PostgreSQL's from the start signal until the rules were done
    stored: int  # Event rows at the end
    pull_s: float  # the pull cycles of every pusher at once, from the signal to the last reply
    pulls: list[float]  # each pull's seconds
    pull_errors: int
    pull_cpu_s: float  # the bureau's and PostgreSQL's meanwhile
    heads_s: float  # then as many GET /v1/heads (an idle kiosk's one request a cycle), likewise
    heads: list[float]
    heads_errors: int
    heads_cpu_s: float
    store_bytes: int  # the database's growth over an empty store, once the rules were done
    dump_bytes: int  # pg_dump -Fc of it
    dump_s: float


PULLED = ("sites", "rules", "members", "cards", "balances", "items", "settings")  # kiosk.sync.pull.STREAMS


def _lean_pusher(url: str, kiosk_id: str, key: str, bodies: list[bytes], rounds: int, signals, results) -> None:
    """Send `bodies` one after another on one keep-alive connection, each signed as it is sent
    (as ingest_trial), and put (seconds of each, 5xx met) on `results`; then, at the second
    signal, `rounds` pull cycles of an up-to-date kiosk (each stream after its head: nothing new)
    and their seconds and 5xx too; then as many GET /v1/heads as those pulls (what an idle
    kiosk's cycle is now: kiosk/sync/pull.py), likewise.  A 5xx is sent again."""
    from contract import signing

    ready, go_push, go_heads, go_pull, go_idle = signals
    address = urlsplit(url)
    http = HTTPConnection(address.hostname, address.port, timeout=120)
    http.connect()

    def send(method: str, target: str, body: bytes, seconds: list[float]) -> tuple[dict, int]:
        errors = 0
        while True:
            started = time.perf_counter()
            headers = {"X-Kiosk": kiosk_id, **signing.sign(key, method, target, int(time.time()), body)}
            if body:
                headers |= {"Content-Type": "application/json", "Content-Encoding": "gzip"}
            http.request(method, target, body or None, headers)
            response = http.getresponse()
            reply = response.read()
            seconds.append(time.perf_counter() - started)
            if response.status < 500:
                break
            errors += 1
        if response.status != 200:
            raise RuntimeError(f"{method} {target} refused: {response.status} {reply[:300]!r}")
        if response.getheader("Content-Encoding") == "gzip":
            reply = gzip.decompress(reply)
        return json.loads(reply), errors

    try:
        ready.put(kiosk_id)
        go_push.wait()
        seconds, errors = [], 0
        for body in bodies:
            errors += send("POST", "/v1/push", body, seconds)[1]
        results.put((seconds, errors))
        http.close()  # idle past uvicorn's keep-alive while the rules catch up: opened again at the next request
        go_heads.wait()
        heads = {
            stream: send("GET", f"/v1/pull?stream={stream}&after=0&limit=1", b"", [])[0]["head_rev"]
            for stream in PULLED
        }
        http.close()
        ready.put(kiosk_id)
        go_pull.wait()
        seconds, errors = [], 0
        for _ in range(rounds):
            for stream, head in heads.items():
                errors += send("GET", f"/v1/pull?stream={stream}&after={head}&limit=1000", b"", seconds)[1]
        results.put((seconds, errors))
        ready.put(kiosk_id)
        go_idle.wait()
        seconds, errors = [], 0
        for _ in range(rounds * len(heads)):
            errors += send("GET", "/v1/heads", b"", seconds)[1]
        results.put((seconds, errors))
    finally:
        http.close()


def workers_runs(cluster, folder: Path, counts: tuple[int, ...], size: Size) -> list[WorkersRun]:
    """The workers part on `cluster`: for each N a fresh store, `serve --workers N`, the roster
    pushed untimed, then every pusher's kiosk at once."""
    rng = random.Random(SEED + 1)
    template = migrated_template(folder / "template")
    names = ["roster", *[f"pusher{i:02d}" for i in range(size.worker_pushers)]]
    # Kiosk ids are numbered in order (<SITE>-K01 …), the same in every fresh store: the bodies
    # are made once, and signed with each store's keys as they are sent.
    ids = [f"{SITE}-K{n:02d}" for n in range(1, len(names) + 1)]
    roster = roster_rows(size.members, rng)
    bodies = {
        kiosk_id: signed_pushes(
            build_kiosk_db(template, folder / name, outbox_rows(size.per_worker_pusher, kiosk_id, rng, size.members)),
            kiosk_id,
        )
        for name, kiosk_id in zip(names[1:], ids[1:])
    }
    context = multiprocessing.get_context("spawn")
    cluster.new_store("bench_empty")
    empty_bytes = cluster.sql("SELECT pg_database_size('bench_empty')")[0][0]
    cluster.sql('DROP DATABASE "bench_empty" WITH (FORCE)')
    runs = []
    for workers in counts:
        name = f"bench_workers{workers}"
        store_url = cluster.new_store(name)
        kiosks = register(store_url, names)
        assert [kiosks[n][0] for n in names] == ids, "kiosk ids not numbered as expected"
        (folder / name).mkdir()
        with serving(store_url, folder / name, workers) as bureau:
            # A kiosk.db of its own each time: a drained one has nothing left to push.
            roster_db = build_kiosk_db(template, folder / name / "roster", roster)
            drain(roster_db, bureau.url, *kiosks["roster"][:2], Requests())
            wait_for_rules(store_url)
            ready, results = context.Queue(), context.Queue()
            go_push, go_heads, go_pull, go_idle = (context.Event() for _ in range(4))
            signals = (ready, go_push, go_heads, go_pull, go_idle)
            pushers = [
                context.Process(
                    target=_lean_pusher,
                    args=(bureau.url, *kiosks[n][:2], bodies[kiosks[n][0]], size.pull_rounds, signals, results),
                )
                for n in names[1:]
            ]
            for p in pushers:
                p.start()
            postmaster = int((cluster.socket_dir / "data" / "postmaster.pid").read_text().split()[0])

            def cpu() -> tuple[float, float]:
                return bureau.tree_cpu_s(), tree_cpu_s(postmaster)

            def phase(go) -> tuple[float, list[float], int, tuple[float, float]]:
                """Every pusher ready, then `go`: seconds until all are done, their requests'
                seconds, 5xx, and the bureau's and PostgreSQL's CPU meanwhile."""
                for _ in pushers:
                    ready.get(timeout=300)
                before, started = cpu(), time.perf_counter()
                go.set()
                seconds, errors = [], 0
                for _ in pushers:
                    each, failed = results.get(timeout=1800)
                    seconds += each
                    errors += failed
                elapsed, after = time.perf_counter() - started, cpu()
                return elapsed, seconds, errors, (after[0] - before[0], after[1] - before[1])

            push_started, push_cpu_before = time.perf_counter(), cpu()
            elapsed, seconds, errors, (tree_cpu, postgres_cpu) = phase(go_push)
            wait_for_rules(store_url)
            rules_s = time.perf_counter() - push_started
            total_cpu = sum(cpu()) - sum(push_cpu_before)
            go_heads.set()
            pull = phase(go_pull)
            idle = phase(go_idle)
            for p in pushers:
                p.join()
            if any(p.exitcode for p in pushers):
                raise RuntimeError("a pusher failed (see above)")
        stored, _, _ = check_storm(store_url, [], 0)
        store_bytes = cluster.sql(f"SELECT pg_database_size('{name}')")[0][0]
        dump = folder / name / "store.dump"
        dump_started = time.perf_counter()
        # As packaging/bureau/yinling-bureau-backup makes it.
        subprocess.run(
            ["pg_dump", "--format=custom", "--compress=6", f"--file={dump}", f"--dbname={store_url}"], check=True
        )
        dump_s = time.perf_counter() - dump_started
        cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        facts = size.worker_pushers * size.per_worker_pusher
        runs.append(
            WorkersRun(
                workers,
                facts,
                elapsed,
                seconds,
                errors,
                tree_cpu,
                postgres_cpu,
                rules_s,
                total_cpu,
                stored,
                pull_s=pull[0],
                pulls=pull[1],
                pull_errors=pull[2],
                pull_cpu_s=sum(pull[3]),
                heads_s=idle[0],
                heads=idle[1],
                heads_errors=idle[2],
                heads_cpu_s=sum(idle[3]),
                store_bytes=store_bytes - empty_bytes,
                dump_bytes=dump.stat().st_size,
                dump_s=dump_s,
            )
        )
    return runs


def workers_figures(runs: list[WorkersRun], size: Size) -> list[Figure]:
    out = []
    base = runs[0].facts / runs[0].seconds
    expected = size.members + size.worker_pushers * size.per_worker_pusher
    print(
        f"postgresql, serve --workers N: {size.worker_pushers} kiosks × {size.per_worker_pusher:,} facts "
        f"pushed at once by {size.worker_pushers} pushers, then {size.pull_rounds} pull cycles each of "
        f"{len(PULLED)} streams with nothing new, then as many GET /v1/heads"
    )
    for run in runs:
        rate = run.facts / run.seconds
        value = (
            f"{rate:,.0f} facts/s ({rate / base:.2f}× of {runs[0].workers}), {run.seconds:.2f} s, "
            f"p99 request {percentile(run.requests, 99) * 1000:.0f} ms; CPU meanwhile: bureau {run.tree_cpu_s:.1f} s, "
            f"PostgreSQL {run.postgres_cpu_s:.1f} s; rules done after {run.rules_s:.1f} s, "
            f"{run.total_cpu_s * 1e6 / run.facts:.0f} µs of CPU a fact in all (bureau, rules and PostgreSQL); "
            f"5xx {run.server_errors}, stored {run.stored:,}/{expected:,}"
        )
        ok = run.server_errors == 0 and run.stored == expected
        out.append(
            _shown(Figure(f"postgresql: ingest, serve --workers {run.workers}", value, "no 5xx, every fact stored", ok))
        )
        for what, seconds, elapsed, cpu_s, errors in (
            ("idle pulls", run.pulls, run.pull_s, run.pull_cpu_s, run.pull_errors),
            ("idle heads", run.heads, run.heads_s, run.heads_cpu_s, run.heads_errors),
        ):
            value = (
                f"{len(seconds) / elapsed:,.0f} requests/s, p99 {percentile(seconds, 99) * 1000:.0f} ms, "
                f"{cpu_s * 1e6 / len(seconds):,.0f} µs of CPU a request (bureau and PostgreSQL), 5xx {errors}"
            )
            name = f"postgresql: {what}, serve --workers {run.workers}"
            out.append(_shown(Figure(name, value, "no 5xx", errors == 0)))
        value = (
            f"{run.store_bytes / run.stored:,.0f} B a fact in the database (rules' rows and indexes with it), "
            f"pg_dump -Fc {run.dump_bytes / run.stored:,.0f} B a fact in {run.dump_s:.1f} s "
            f"({run.stored / run.dump_s:,.0f} facts/s)"
        )
        out.append(_shown(Figure(f"postgresql: store and dump, serve --workers {run.workers}", value)))
    print_load()
    return out


def _shown(figure: Figure) -> Figure:
    verdict = f"  [target {figure.target}: {figure.verdict()}]" if figure.target else ""
    print(f"  {figure.name}  {figure.value}{verdict}", flush=True)
    return figure


def print_load() -> None:
    load = os.getloadavg()
    print(f"  {os.cpu_count()} CPU cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (1/5/15 min)")


# --- figures ---------------------------------------------------------------------------------------


def figures(m: Measured, size: Size) -> list[Figure]:
    """Print the table of one store and return its figures for the summary."""
    storm_facts = size.kiosks * size.per_kiosk
    expected = size.members + 2 * size.backlog + INGEST_TRIALS * size.per_trial + storm_facts
    per_trial = size.per_trial
    rates = [per_trial / phase.seconds for phase in m.ingest]
    ratios = [raw_s / phase.seconds for phase, raw_s in zip(m.ingest, m.raw_s)]
    plain_ratios = [raw_s / phase.seconds for phase, raw_s in zip(m.ingest, m.plain_raw_s)]
    rate, ratio, raw_rate = median(rates), median(ratios), median(per_trial / raw_s for raw_s in m.raw_s)
    direct_rate = size.backlog / m.direct_s
    p99 = percentile(m.storm_requests.seconds, 99)
    pushes = len(m.backlog_requests.seconds)
    gzip_b, raw_b = m.backlog_requests.sent_bytes / size.backlog, m.backlog_requests.raw_bytes / size.backlog
    once = m.stored == m.distinct == expected and m.contiguous
    s = m.store
    rows = [
        (
            f"{s}: {size.backlog:,}-fact backlog, push_all",
            f"{m.backlog.seconds:.2f} s in {pushes} pushes ({_phase(m.backlog)})",
            f"≤ {BACKLOG_TARGET_S:g} s",
            m.backlog.seconds <= BACKLOG_TARGET_S,
        ),
        (
            f"{s}: ingest over HTTP",
            f"{rate:,.0f} facts/s, median of {', '.join(f'{r:,.0f}' for r in rates)} "
            f"(first trial: {_phase(m.ingest[0])})",
            f"≥ {RATE_TARGET:,}/s",
            rate >= RATE_TARGET,
        ),
        (
            f"{s}: ingest / raw driver insert",
            f"{ratio:.2f}, median of {', '.join(f'{r:.2f}' for r in ratios)} (raw median {raw_rate:,.0f} rows/s)",
            f"≥ {RATIO_TARGET}",
            ratio >= RATIO_TARGET,
        ),
        *(
            [
                (
                    f"{s}: ingest / raw insert, foreign keys unchecked",
                    f"{median(plain_ratios):.2f}, median of {', '.join(f'{r:.2f}' for r in plain_ratios)} (raw median "
                    f"{median(per_trial / raw_s for raw_s in m.plain_raw_s):,.0f} rows/s)",
                    "",
                    None,
                )
            ]
            if plain_ratios
            else []
        ),
        (
            f"{s}: push path alone (no HTTP, no rules)",
            f"{direct_rate:,.0f} facts/s, {direct_rate / raw_rate:.2f} of raw",
            "",
            None,
        ),
        (
            f"{s}: storm {size.kiosks}×{size.per_kiosk:,}, {size.pushers} pushers",
            f"{m.storm.seconds:.2f} s, {storm_facts / m.storm.seconds:,.0f} facts/s ({_phase(m.storm)})",
            "",
            None,
        ),
        (
            f"{s}: storm p99 request",
            f"{p99 * 1000:.0f} ms over {len(m.storm_requests.seconds)} requests",
            f"< {P99_TARGET_S:g} s",
            p99 < P99_TARGET_S,
        ),
        (f"{s}: storm 5xx", str(m.storm_requests.server_errors), "0", m.storm_requests.server_errors == 0),
        (
            f"{s}: every fact once",
            f"{m.stored:,} rows, {m.distinct:,} distinct, seqs {'contiguous' if m.contiguous else 'NOT contiguous'}",
            f"= {expected:,}, contiguous",
            once,
        ),
        (
            f"{s}: bytes/fact on the wire",
            f"{gzip_b:.1f} B gzip, {raw_b:.0f} B raw JSON",
            f"≤ {GZIP_TARGET_B} B / ≤ {RAW_TARGET_B} B",
            gzip_b <= GZIP_TARGET_B and raw_b <= RAW_TARGET_B,
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{s} ({m.durability})")
    out = []
    for name, value, target, ok in rows:
        verdict = f"  [target {target}: {'PASS' if ok else 'FAIL'}]" if target else ""
        print(f"  {name:<{width}}  {value}{verdict}", flush=True)
        out.append(Figure(name, value, target, ok if target else None))
    return out


def _phase(phase: Phase) -> str:
    return f"bureau CPU {phase.server_cpu_s:.2f} s; rules done after {phase.rules_s:.1f} s"


def run(size: Size = FULL, worker_counts: tuple[int, ...] = WORKER_COUNTS, only_workers: bool = False) -> list[Figure]:
    from bureau import sealing
    from tools import pgcluster

    # The bureau seals its kiosk keys as in production (a PostgreSQL store needs the secret):
    # a secret of this run, for this process and the ones it starts.
    os.environ.setdefault(sealing.ENV, secrets.token_hex(32))
    out = []
    with tempfile.TemporaryDirectory(prefix="yinling-sync-") as tmp:
        if not only_workers:
            out += figures(measure("sqlite", Path(tmp) / "sqlite", size), size)
        with pgcluster.cluster(fsync=True) as cluster:
            if not only_workers:
                out += figures(measure("postgresql", Path(tmp) / "postgresql", size, cluster), size)
                print_load()
            out += workers_figures(workers_runs(cluster, Path(tmp) / "workers", worker_counts, size), size)
    return out


def main(argv: list[str]) -> int:
    """python -m bench.sync [--quick] [--workers 1,2,4]: every part, or with --workers only the
    workers part with those counts."""
    size = QUICK if "--quick" in argv else FULL
    counts, only = WORKER_COUNTS, "--workers" in argv
    if only:
        counts = tuple(int(n) for n in argv[argv.index("--workers") + 1].split(","))
    figures_ = run(size, counts, only)
    return 0 if all(f.ok is not False for f in figures_) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
