"""Fault injection for the sync tests (docs/sync-protocol.md §12) with real parts: a TCP proxy on loopback that
cuts requests and drops replies, a bureau process that is killed with SIGKILL and started again
on the same store, a kiosk process (tests/bureau/kiosk_driver.py) likewise, and the end-of-test
invariants:

    I1 no loss         every fact whose local commit returned is at the bureau
    I2 no duplicates   one Event row per event_id; each kiosk's (epoch, seq) contiguous from 1 to
                       its acked_seq, and equal to its outbox
    I3 convergence     a kiosk's copy of each stream has the bureau's checksum (needs pull)
    I4 ledger          each member's ledger sums to its balance; no award_key twice (needs rules)

A test heals its faults, quiesces, drains with a clean sync (and pull) and then calls the checks.
"""

import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from peewee import fn

from bureau import admin
from bureau.models import Event, EventReject, Kiosk
from bureau.schema import open_store
from bureau.store import close_store
from tests.kiosk.conftest import write_site_file
from tests.waiting import answers
from tools.checkout import ROOT

from .conftest import MEMBER_PREFIX, SITE, SITE_NAME, bureau_env, free_port, wait_until

# -- the proxy ------------------------------------------------------------------------------------

PASS, CUT, DROP = "pass", "cut", "drop"


@dataclass(frozen=True)
class Fault:
    """What the proxy does to one request: pass it, CUT it after `at` bytes (the bureau never has
    it whole: nothing commits), or DROP the reply (the bureau committed; the kiosk gets only the
    first `part` of it, 0 to 1).  `reset` closes with a TCP RST instead of a FIN."""

    kind: str
    at: int = 0
    part: float = 0.0
    reset: bool = False


Decide = Callable[[bytes, int], Fault]  # (request line, request size) -> what to do


def push_faults(seed: int, share: float) -> Decide:
    """Fault about `share` of the pushes, half cut at a random byte, half with the reply dropped."""
    rand = random.Random(seed)

    def decide(line: bytes, size: int) -> Fault:
        if not line.startswith(b"POST /v1/push") or rand.random() >= share:
            return Fault(PASS)
        if rand.random() < 0.5:
            return Fault(CUT, at=rand.randrange(size), reset=rand.random() < 0.5)
        return Fault(DROP, part=rand.choice([0.0, rand.random()]), reset=rand.random() < 0.5)

    return decide


class Proxy:
    """HTTP/1.1 on loopback between a kiosk and the bureau, one request at a time per connection.

    Each request is read whole from the kiosk first, then decide() says what happens to it.
    `on_reply(fault)` runs when a reply the bureau sent is about to be dropped (F5 kills the kiosk
    there: after the bureau committed, before the kiosk could checkpoint)."""

    def __init__(
        self,
        upstream_port: int,
        decide: Decide,
        on_reply: Callable[[Fault], None] | None = None,
        tls: ssl.SSLContext | None = None,
    ):
        """`tls`: the kiosk's side is HTTPS with this server context (the proxy terminates TLS in
        front of `bureau serve`, as a deployment does)."""
        self.upstream_port, self.decide, self.on_reply, self.tls = upstream_port, decide, on_reply, tls
        self.counts = {PASS: 0, CUT: 0, DROP: 0}
        self.requests: list[bytes] = []  # every request as the kiosk sent it (F18 replays them)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._closing = False
        threading.Thread(target=self._accept, daemon=True, name="proxy").start()

    def faults(self) -> int:
        return self.counts[CUT] + self.counts[DROP]

    def heal(self) -> None:
        """Pass everything from now on."""
        self.decide = lambda line, size: Fault(PASS)

    def close(self) -> None:
        self._closing = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream, fault = None, Fault(PASS)
        try:
            if self.tls is not None:  # a client that refuses the certificate ends it here (ssl.SSLError)
                client = self.tls.wrap_socket(client, server_side=True)
            reader = client.makefile("rb")
            while (request := read_message(reader)) is not None:
                if upstream is None:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                    up_reader = upstream.makefile("rb")
                fault = self.decide(request.split(b"\r\n", 1)[0], len(request))
                with self._lock:
                    self.counts[fault.kind] += 1
                    self.requests.append(request)
                if fault.kind == CUT:
                    upstream.sendall(request[: fault.at])
                    return
                upstream.sendall(request)
                response = read_message(up_reader)
                if response is None:  # the bureau went away (killed): so does the kiosk's link
                    return
                if fault.kind == DROP:
                    if self.on_reply:
                        self.on_reply(fault)
                    client.sendall(response[: int(len(response) * fault.part)])
                    return
                client.sendall(response)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                if s is not None:
                    if fault.reset:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()


def read_message(reader) -> bytes | None:
    """One HTTP/1.1 message (request or reply) with a Content-Length body, or None at EOF."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = reader.readline()
        if not line:
            return None
        head += line
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding":
            raise AssertionError("the proxy handles Content-Length bodies only")
    body = reader.read(length) if length else b""
    if len(body) < length:
        return None
    return head + body


def send_raw(port: int, request: bytes) -> tuple[int, dict]:
    """`request` byte for byte to 127.0.0.1:port (a replay): the reply's status and JSON."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(request)
        reply = read_message(s.makefile("rb"))
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


# -- processes ------------------------------------------------------------------------------------


class BureauProcess:
    """`python -m bureau serve` on one port and store, which can be killed and started again.
    `prefix` runs it under another program (e.g. faketime); PGAPPNAME tags its PostgreSQL
    connections so a test can terminate exactly those."""

    APP_NAME = "bureau-under-test"

    def __init__(self, store_url: str, folder: Path, prefix: tuple[str, ...] = ()):
        self.store_url, self.folder, self.prefix = store_url, folder, prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"bureau-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    *self.prefix,
                    sys.executable,
                    "-m",
                    "bureau",
                    "serve",
                    "--db",
                    self.store_url,
                    "--port",
                    str(self.port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                env={**bureau_env(), "PGAPPNAME": self.APP_NAME},
                start_new_session=True,
            )
        wait_until(self._ready, 30, f"the bureau to answer /v1/health (start {self.starts})")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the bureau exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        return answers(self.url + "/v1/health")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback but the store's own."""
        kill_group(self.process, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process, signal.SIGTERM)


class StoreBackup:
    """A backup of the bureau's store, and putting it back as after its disk died (the bureau is
    killed with SIGKILL and started again on it).  SQLite: the online backup API, the bureau
    running.  PostgreSQL: a copy of the database (CREATE DATABASE … TEMPLATE), which wants no one
    connected: the bureau stops for it and starts again, as for a dump taken in a quiet moment.
    `cluster` is None on SQLite; drop() removes the copy."""

    def __init__(self, bureau: "BureauProcess", cluster=None):
        self.bureau, self.cluster = bureau, cluster
        self.url = bureau.store_url
        self.name = self.url.rsplit("/", 1)[1]
        self.copy = f"{self.name}_backup" if cluster else f"{self.url[len('sqlite:///') :]}.backup"

    def take(self) -> None:
        if self.cluster is None:
            source, copy = sqlite3.connect(self.url[len("sqlite:///") :]), sqlite3.connect(self.copy)
            try:
                source.backup(copy)
            finally:
                source.close()
                copy.close()
            return
        self.bureau.stop()
        close_store()  # this process's connections too
        self.cluster.sql(f'DROP DATABASE IF EXISTS "{self.copy}"')
        self.cluster.sql(f'CREATE DATABASE "{self.copy}" TEMPLATE "{self.name}"')
        self.bureau.start()

    def put_back(self) -> None:
        self.bureau.kill()
        close_store()
        if self.cluster is None:
            path = Path(self.url[len("sqlite:///") :])
            for leftover in path.parent.glob(path.name + "*"):
                if str(leftover) != self.copy:
                    leftover.unlink()
            shutil.copy(self.copy, path)
        else:
            self.cluster.sql(f'DROP DATABASE "{self.name}" WITH (FORCE)')
            self.cluster.sql(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.copy}"')
        self.bureau.start()

    def drop(self) -> None:
        if self.cluster is not None:
            self.cluster.sql(f'DROP DATABASE IF EXISTS "{self.copy}" WITH (FORCE)')


def kill_group(process: subprocess.Popen, sig: int) -> None:
    """Signal the process and whatever it started (faketime runs the program as its child), then
    wait for it; a process that ignores SIGTERM for 10 s gets SIGKILL."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def kiosk_site_file(folder: Path, kiosk: Kiosk, url: str, batch: int = 5) -> Path:
    """The kiosk's site file: its id, member-number prefix and key at the bureau `url`, small batches."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_site_file(
        folder,
        f'[kiosk]\nid = "{kiosk.kiosk_id}"\n[sync]\nurl = "{url}"\nkey = "{kiosk.key}"\nbatch = {batch}\n',
        name="kiosk.toml",
        prefix=admin.member_prefix(kiosk),
    )


@pytest.fixture
def sqlite_bureau(tmp_path):
    """A bureau on a SQLite store with kiosk DEMO-001-K01 (for faults of the kiosk alone:
    one store is enough)."""
    url = f"sqlite:///{tmp_path / 'bureau.db'}"
    open_store(url)
    admin.add_site(SITE, SITE_NAME, prefix=MEMBER_PREFIX)
    kiosk = admin.add_kiosk(SITE, "front desk")
    server = BureauProcess(url, tmp_path)
    server.start()
    yield server, kiosk
    server.stop()
    close_store()


def open_kiosk(folder: Path, kiosk: Kiosk, url: str, batch: int = 5):
    """This process as the kiosk: its settings, and its kiosk.db bound (close kiosk.store.db.db after)."""
    from kiosk import config
    from kiosk.store.db import open_db

    settings = config.load(kiosk_site_file(folder, kiosk, url, batch), folder / "kiosk-data")
    open_db(settings.kiosk.data_dir)
    return settings


def back_up(data: Path, backup: Path) -> None:
    """Copy the kiosk.db in `data` to `backup` as a backup would take it: closed, its WAL
    checkpointed; then open it again."""
    from kiosk.store.db import db as kiosk_db
    from kiosk.store.db import open_db

    kiosk_db.close()
    shutil.copy(data / "kiosk.db", backup)
    open_db(data)


def restore(data: Path, backup: Path) -> None:
    """Put `backup` in place of the kiosk.db in `data`, as after its disk died, and open it."""
    from kiosk.store.db import db as kiosk_db
    from kiosk.store.db import open_db

    kiosk_db.close()
    for leftover in data.glob("kiosk.db*"):
        leftover.unlink()
    shutil.copy(backup, data / "kiosk.db")
    open_db(data)


def write_facts(n: int, now) -> list[str]:
    """`n` sign-in facts in one local transaction, as the check-in writes them (outbox only)."""
    from kiosk.store import facts
    from kiosk.store.db import write

    ids = []
    with write():
        for _ in range(n):
            ids.append(facts.new_event_id())
            facts.record(
                "signin",
                ids[-1],
                {
                    "member_no": "DM0001",
                    "kind": "activity",
                    "title": "健康讲座",
                    "site": "DEMO-001",
                    "start": now.isoformat(),
                    "at": now.isoformat(),
                },
                now,
            )
    return ids


@dataclass
class KioskProcess:
    """tests/bureau/kiosk_driver.py on one kiosk.db; what it printed is kept across restarts."""

    site_file: Path
    data_dir: Path
    prefix: tuple[str, ...] = ()
    acked: list[str] = field(default_factory=list)  # event_ids whose commit returned
    pushed: list[int] = field(default_factory=list)  # acked_seq after each answered push
    drained: bool = False
    pull_failed: list[str] | None = None  # after a pull: the streams that failed
    process: subprocess.Popen | None = None
    stderr: list[str] = field(default_factory=list)

    def start(self, *args: str) -> None:
        self.drained = False
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [
                *self.prefix,
                sys.executable,
                "-m",
                "tests.bureau.kiosk_driver",
                str(self.site_file),
                str(self.data_dir),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**bureau_env(), "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        self._readers = [
            threading.Thread(target=self._read, args=(self.process,), daemon=True),
            threading.Thread(target=self._read_errors, args=(self.process,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, process: subprocess.Popen) -> None:
        for raw in process.stdout:
            word, _, rest = raw.decode().strip().partition(" ")
            if word == "ack":
                self.acked.extend(rest.split())
            elif word == "pushed":
                self.pushed.append(int(rest))
            elif word == "drained":
                self.drained = True
            elif word == "pulled":
                self.pull_failed = rest.split()
            elif word == "ready":
                self.ready.set()

    def _read_errors(self, process: subprocess.Popen) -> None:
        for raw in process.stderr:
            self.stderr.append(raw.decode())

    def kill(self) -> None:
        kill_group(self.process, signal.SIGKILL)
        for reader in self._readers:
            reader.join(timeout=5)  # every line it printed before it died is counted

    def finish(self, timeout: float = 60) -> None:
        """Wait for the driver to exit on its own, and check it did so cleanly."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the kiosk driver did not finish in {timeout} s") from None
        for reader in self._readers:
            reader.join(timeout=5)
        assert code == 0, f"the kiosk driver exited with {code}:\n{''.join(self.stderr)[-3000:]}"

    def drain(self, timeout: float = 60, pull: bool = False) -> None:
        """Start it once more to push until its outbox is empty (a clean sync), then pull."""
        self.start("--drain", *(["--pull"] if pull else []))
        self.finish(timeout)
        assert self.drained, "the driver did not drain its outbox"
        assert not pull or self.pull_failed == [], f"the pull failed for {self.pull_failed}"


# -- invariants -----------------------------------------------------------------------------------


@contextmanager
def kiosk_db_file(data_dir: Path | str):
    """kiosk.db opened with sqlite3 (this process's kiosk.db binding, if any, is left alone)."""
    con = sqlite3.connect(Path(data_dir) / "kiosk.db")
    try:
        yield con
    finally:
        con.close()


def outbox(data_dir: Path) -> dict[int, str]:
    """The kiosk's outbox, seq -> event_id."""
    with kiosk_db_file(data_dir) as con:
        return dict(con.execute("SELECT seq, event_id FROM outbox"))


def integrity(data_dir: Path) -> str:
    with kiosk_db_file(data_dir) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


def kiosk_state(data_dir: Path, key: str) -> str | None:
    with kiosk_db_file(data_dir) as con:
        row = con.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def at_bureau(kiosk_id: str | None = None) -> dict[str, tuple[int, int]]:
    """Every fact the bureau holds (stored or dead-lettered): event_id -> (epoch, seq)."""
    held = {}
    for model in (Event, EventReject):
        query = model.select(model.event_id, model.epoch, model.seq).join(Kiosk)
        if kiosk_id:
            query = query.where(Kiosk.kiosk_id == kiosk_id)
        for event_id, epoch, seq in query.tuples():
            held[str(event_id).replace("-", "")] = (epoch, seq)
    return held


def _plain(event_id: str) -> str:
    return event_id.lower().replace("-", "")


def check_i1(acknowledged: list[str], kiosk_id: str | None = None) -> None:
    """I1: every fact whose local commit returned is at the bureau."""
    held = at_bureau(kiosk_id)
    lost = [i for i in acknowledged if _plain(i) not in held]
    assert not lost, f"I1: {len(lost)} of {len(acknowledged)} acknowledged facts are not at the bureau: {lost[:5]}"


def check_i2(kiosk_id: str, data_dir: Path | None = None) -> None:
    """I2: one row per event_id; the kiosk's facts are seqs 1..acked_seq of its epoch, each once
    (no gap, nothing past acked_seq: a batch was all or nothing); and, given its kiosk.db, they
    are exactly its outbox and its acked_seq is the bureau's.  After a new epoch (a restored
    kiosk.db) the outbox is sent again: a fact the bureau holds from an earlier epoch stays under
    its first (epoch, seq) and fills its seq of the new epoch."""
    total, distinct = Event.select(fn.COUNT(Event.id), fn.COUNT(Event.event_id.distinct())).tuples().get()
    assert total == distinct, f"I2: {total} Event rows for {distinct} event_ids"
    kiosk = Kiosk.get(Kiosk.kiosk_id == kiosk_id)
    held = at_bureau(kiosk_id)
    facts = {seq: event_id for event_id, (epoch, seq) in held.items() if epoch == kiosk.epoch}
    if data_dir is not None:
        local = {seq: _plain(event_id) for seq, event_id in outbox(data_dir).items()}
        earlier = {seq: e for seq, e in local.items() if e in held and held[e][0] < kiosk.epoch}
        assert not earlier.keys() & facts.keys(), "I2: a seq is held twice"
        facts.update(earlier)
        assert facts == local, f"I2: the bureau's facts of {kiosk_id} are not its outbox ({len(facts)} vs {len(local)})"
        assert int(kiosk_state(data_dir, "acked_seq") or 0) == kiosk.acked_seq == max(local, default=0)
    seqs = sorted(facts)
    assert seqs == list(range(1, kiosk.acked_seq + 1)), (
        f"I2: kiosk {kiosk_id} epoch {kiosk.epoch}: seqs are not exactly 1..{kiosk.acked_seq} "
        f"({len(seqs)} facts, first missing {_first_missing(seqs)}, "
        f"beyond: {[s for s in seqs if s > kiosk.acked_seq][:5]})"
    )


def _first_missing(seqs: list[int]) -> int | None:
    return next((n for n, s in enumerate(seqs, 1) if s != n), None)


def check_i3(data_dir: Path, kiosk_id: str) -> None:
    """I3: for every stream, the kiosk's copy (table pulled) has the count and checksum the bureau
    has for the rows this kiosk sees, and its members' confirmed balances are the bureau's.  Call
    after a clean push and pull."""
    from bureau import streams
    from bureau.models import Member

    kiosk = Kiosk.get(Kiosk.kiosk_id == kiosk_id)
    with kiosk_db_file(data_dir) as con:
        for stream in streams.STREAMS:
            count, total = con.execute(
                "SELECT count(*), coalesce(sum(crc), 0) FROM pulled WHERE stream = ? AND NOT deleted", (stream,)
            ).fetchone()
            theirs = streams.checksum(stream, kiosk.site.code, kiosk_id)
            assert (count, total % 2**32) == (theirs["count"], theirs["checksum"]), (
                f"I3: stream {stream}: the kiosk has {count} rows / {total % 2**32}, the bureau {theirs}"
            )
        confirmed = dict(con.execute("SELECT member_no, points_confirmed FROM member"))
    balances = dict(
        Member.select(Member.member_no, Member.balance).where(Member.member_no.in_(list(confirmed))).tuples()
    )
    assert balances and balances == {m: confirmed[m] for m in balances}, "I3: confirmed balances differ"


def check_i4() -> None:
    """I4: each member's ledger entries sum to its balance, balance_after runs with them, and no
    award_key is used twice.  Call after bureau.rules.catch_up()."""
    from bureau.models import LedgerEntry, Member

    sums = dict(
        LedgerEntry.select(LedgerEntry.member_no, fn.SUM(LedgerEntry.amount)).group_by(LedgerEntry.member_no).tuples()
    )
    for member_no, balance in Member.select(Member.member_no, Member.balance).tuples():
        ledger = sums.get(member_no, 0)
        assert ledger == balance, f"I4: member {member_no}: the ledger sums to {ledger}, the balance is {balance}"
    keys = (
        LedgerEntry.select(LedgerEntry.award_key)
        .where(LedgerEntry.award_key.is_null(False))
        .group_by(LedgerEntry.award_key)
        .having(fn.COUNT(LedgerEntry.id) > 1)
        .count()
    )
    assert keys == 0, f"I4: {keys} award_keys used twice"


# -- offline kiosks -------------------------------------------------------------------------------


def register(site_code: str, number: str, now, id_hash: str | None = None):
    """A senior registers at this kiosk (its kiosk.db is bound): the Member and its member fact,
    in the caller's write transaction."""
    from kiosk.store import facts
    from kiosk.store.db import get_by, insert
    from kiosk.store.models import Member, Site

    site = get_by(Site, "code", site_code) or Site.create(code=site_code, name=site_code)
    fields = {
        "member_no": number,
        "name": "测试",
        "gender": "",
        "id_hash": id_hash,
        "phone_last4": "",
    }
    member_id = insert(Member, site=site.id, joined=now.date(), **fields)
    facts.record(
        "member",
        facts.new_event_id(),
        {**fields, "site": site_code, "joined": now.date().isoformat(), "active": True, "at": now.isoformat()},
        now,
    )
    return Member.get_by_id(member_id)


def activity_on(site_code: str, title: str, start, bureau_key: str | None = None):
    """The kiosk's Item for an activity at `start` (made here unless the bureau published it)."""
    from datetime import timedelta

    from kiosk.programme.schedule import Item
    from kiosk.store.models import Activity, Site

    found = Activity.get_or_none(Activity.bureau_key == bureau_key) if bureau_key else None
    if found is None:
        site = Site.get(Site.code == site_code)
        found = Activity.create(
            site=site, title=title, place="一楼", start=start, end=start + timedelta(hours=2), open=True
        )
    return Item("activity", found.id, found.title, found.place, found.start, found.end)


def offline_month(settings, members: int, days: int, until) -> list[str]:
    """A kiosk offline for `days` days up to `until`: `members` seniors register on the first day
    and sign in to that day's activity every day (signin and points facts: kiosk.checkin.signin), one
    write transaction a day.  The event_ids of the facts written, in order."""
    from datetime import timedelta

    from kiosk.checkin.signin import record_sign_in
    from kiosk.store.db import db, write

    code, kiosk_id = settings.site.code, settings.kiosk.id
    newest = db.execute_sql("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]
    first = (until - timedelta(days=days - 1)).replace(hour=9, minute=0, second=0, microsecond=0)
    with write():
        people = [register(code, f"{settings.staff.member_prefix}{n:04d}", first) for n in range(members)]
    for day in range(days):
        start = first + timedelta(days=day)
        with write():
            item = activity_on(code, "健康讲座", start)
            for n, member in enumerate(people):
                record_sign_in(member, item, "qr", start + timedelta(minutes=5 + n % 50), kiosk_id, code)
    return [r[0] for r in db.execute_sql("SELECT event_id FROM outbox WHERE seq > ? ORDER BY seq", (newest,))]
