"""The bureau as packaging/bureau installs it, for real on loopback: `serve --workers 2` on
PostgreSQL (a private cluster, reached over its Unix socket as packaging/bureau/env names it, the
store URL taken from $YINLING_BUREAU_DB) behind nginx running the sample site with a certificate
made here.  A kiosk pushes and pulls through it over TLS with its own sync client; the bureau sees
each client's own address (the proxy's X-Forwarded-For, believed from 127.0.0.1 only); the
session cookie is Secure behind https.  Then the nightly backup script dumps that store and the
restore script brings the dump back into a fresh database."""

import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import trustme

from bureau import admin, sealing, users
from bureau.models import Event, Kiosk
from bureau.schema import open_store
from bureau.store import close_store
from tests.bureau.faults import write_facts
from tests.bureau.test_kiosk_tls import kiosk_at, kiosk_db_bound, pending, sync_once
from tests.waiting import wait_until
from tools import pgcluster
from tools.checkout import ROOT
from tools.pgcluster import free_port, stop_process

from .test_bureau_units import PACKAGING, nginx_config

NOW = datetime(2026, 11, 21, 13, 0)
WORKERS = 2
SITE = "DEMO-001"
# Clients of the proxy other than the kiosk: any address of 127.0.0.0/8 is this machine's own.
VISITOR, OTHER_VISITOR = "127.0.0.9", "127.0.0.10"
SPOOFED = "203.0.113.7"  # what a client claims in its own X-Forwarded-For

os.environ.setdefault(sealing.ENV, secrets.token_hex(32))


@dataclass
class Bureau:
    cluster: pgcluster.Cluster
    store_url: str
    port: int  # uvicorn's, on 127.0.0.1
    log: Path  # serve's output
    proxy: int  # nginx's https port
    ca: trustme.CA

    def lines(self, needle: str) -> list[str]:
        """The bureau's log lines (uvicorn's access log among them) that hold `needle`."""
        return [line for line in self.log.read_text(errors="replace").splitlines() if needle in line]

    def client(self, source: str, base: str | None = None) -> httpx.Client:
        """An HTTP client connecting from `source` to the proxy (or to `base`)."""
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        transport = httpx.HTTPTransport(local_address=source, verify=context)
        return httpx.Client(base_url=base or f"https://127.0.0.1:{self.proxy}", transport=transport, timeout=30)


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bureau")
    ca = trustme.CA(organization_name="示范区老干部局 private CA")
    with pgcluster.cluster(fsync=False) as cluster:
        cluster.sql('CREATE DATABASE "yinling_bureau" TEMPLATE template0')
        store_url = cluster.socket_url("yinling_bureau")
        port, proxy = free_port(), free_port()
        log = folder / "bureau.log"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "YINLING_BUREAU_DB": store_url}
        with open(log, "wb") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "bureau", "serve", "--port", str(port), "--workers", str(WORKERS)]
                + ["--forwarded-allow-ips", "127.0.0.1"],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=folder,
                env=env,
            )
        main = nginx_config(folder, port, proxy, free_port(), ca)
        nginx = subprocess.Popen(["nginx", "-e", str(folder / "error.log"), "-c", str(main)], cwd=folder)
        made = Bureau(cluster, store_url, port, log, proxy, ca)
        try:

            def up() -> bool:
                assert serve.poll() is None, log.read_text()[-3000:]
                assert nginx.poll() is None, (folder / "error.log").read_text()[-3000:]
                if len(made.lines("Application startup complete")) < WORKERS:
                    return False
                try:
                    with made.client("127.0.0.1") as c:
                        return c.get("/v1/health").status_code == 200
                except httpx.TransportError:
                    return False

            wait_until(up, 60, "the bureau's workers behind nginx")
            open_store(store_url)
            yield made
        finally:
            close_store()
            stop_process(nginx)
            stop_process(serve, timeout=20)


@pytest.fixture(scope="module")
def kiosk(bureau):
    admin.add_site(SITE, "示范区老干部活动中心", prefix="DM")
    return admin.add_kiosk(SITE, "front desk")


def test_a_kiosk_syncs_through_nginx_over_tls_and_the_bureau_sees_each_clients_address(bureau, kiosk, tmp_path):
    ca_file = tmp_path / "bureau-ca.pem"
    bureau.ca.cert_pem.write_to_path(str(ca_file))
    data = tmp_path / "kiosk-data"
    with kiosk_db_bound(data):
        write_facts(30, NOW)
    site_file = kiosk_at(tmp_path / "kiosk", kiosk, f"https://127.0.0.1:{bureau.proxy}", ca_file)
    done = sync_once(site_file, data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert pending(data) == 0 and Event.select().where(Event.kiosk == kiosk.id).count() == 30
    assert "sites" in done.stdout  # and it pulled every stream, through the same proxy
    proxied = bureau.log.parent / "access.log"
    assert '"POST /v1/push HTTP/1.1" 200' in proxied.read_text() and "GET /v1/pull?" in proxied.read_text()
    # The kiosk's requests reached uvicorn from nginx and were logged with the address nginx
    # forwarded (no port: it came from the header), not nginx's own connection's.
    assert bureau.lines('127.0.0.1:0 - "POST /v1/push HTTP/1.1" 200')

    # HTTP/2 is offered to those who ask (browsers); the kiosk's client speaks HTTP/1.1.
    context = ssl.create_default_context()
    bureau.ca.configure_trust(context)
    context.set_alpn_protocols(["h2", "http/1.1"])
    with context.wrap_socket(socket.create_connection(("127.0.0.1", bureau.proxy)), server_hostname="127.0.0.1") as tls:
        assert tls.selected_alpn_protocol() == "h2"

    # A client of its own address, claiming another: the bureau counts it as what it is.
    with bureau.client(VISITOR) as visitor:
        statuses = [
            visitor.post("/web/login", headers={"X-Forwarded-For": SPOOFED}, data={"username": "x"}).status_code
            for _ in range(10 * WORKERS + 1)
        ]
    assert set(statuses[:10]) == {403} and statuses[-1] == 429  # each worker gives a client 10 tries a minute
    assert bureau.lines(f'{VISITOR}:0 - "POST /web/login HTTP/1.1" 429') and not bureau.lines(SPOOFED)
    with bureau.client(OTHER_VISITOR) as other:
        assert other.post("/web/login", data={"username": "x"}).status_code == 403  # its own tries, untouched
    # Straight to uvicorn, not through the proxy: the header of a client not 127.0.0.1 is not believed.
    with bureau.client(VISITOR, f"http://127.0.0.1:{bureau.port}") as direct:
        assert direct.get("/v1/health?direct", headers={"X-Forwarded-For": SPOOFED}).status_code == 200
    [line] = bureau.lines("/v1/health?direct")
    assert line.split(" - ")[0].rsplit(":", 1)[0].endswith(VISITOR) and not line.split(" - ")[0].endswith(":0")


def test_the_session_cookie_is_secure_behind_the_tls_proxy(bureau):
    users.add_user("zhangli", "示范区-老干部局-2027")
    origin = f"https://127.0.0.1:{bureau.proxy}"
    with bureau.client("127.0.0.11") as browser:
        reply = browser.post(
            "/web/login", headers={"Origin": origin}, data={"username": "zhangli", "password": "示范区-老干部局-2027"}
        )
    assert reply.status_code == 303, reply.text
    cookie = reply.headers["set-cookie"]
    assert "bureau_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_the_nightly_backup_restores_into_a_fresh_database(bureau, kiosk, tmp_path):
    backups = tmp_path / "backups"
    env = {
        **os.environ,
        "YINLING_BUREAU_DB": bureau.store_url,
        "YINLING_BUREAU_BACKUP_DIR": str(backups),
        "YINLING_BUREAU_BACKUP_KEEP_DAYS": "14",
    }
    backups.mkdir(mode=0o700)
    old = backups / "yinling-bureau-20260101-040000.dump"  # a dump of 20 days ago
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 20 * 86400,) * 2)
    kept = backups / "yinling-bureau-20260112-040000.dump"  # of 9 days ago
    kept.write_bytes(b"kept")
    os.utime(kept, (time.time() - 9 * 86400,) * 2)
    done = subprocess.run([PACKAGING / "yinling-bureau-backup"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip())
    assert dump.parent == backups and dump.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in backups.iterdir()) == sorted([kept.name, dump.name])  # older than 14 days gone
    # A dump that fails leaves nothing behind, not even its partial file, and removes nothing.
    gone = {**env, "YINLING_BUREAU_DB": bureau.cluster.socket_url("no_such_database")}
    failed = subprocess.run([PACKAGING / "yinling-bureau-backup"], env=gone, capture_output=True, text=True)
    assert failed.returncode != 0 and "no_such_database" in failed.stderr
    assert sorted(p.name for p in backups.iterdir()) == sorted([kept.name, dump.name])

    cluster = bureau.cluster
    cluster.sql('CREATE ROLE "yinling-bureau" LOGIN')  # the service's role, as install.sh makes it
    restore_env = {**os.environ, "PGHOST": str(cluster.socket_dir), "PGPORT": str(cluster.port), "PGUSER": "postgres"}

    def restore(database: str, source: Path) -> subprocess.CompletedProcess:
        with open(source, "rb") as stdin:  # as root's shell opens it for sudo -u postgres
            return subprocess.run(
                [PACKAGING / "yinling-bureau-restore", database], stdin=stdin, env=restore_env, capture_output=True
            )

    done = restore("yinling_bureau_restored", dump)
    assert done.returncode == 0, done.stderr
    # The same again is refused: a restore never writes over a database.
    again = restore("yinling_bureau_restored", dump)
    assert again.returncode != 0 and b"already exists" in again.stderr
    # A damaged dump leaves no database behind.
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    failed = restore("yinling_bureau_half", damaged)
    assert failed.returncode == 1 and b"nothing restored" in failed.stderr
    assert cluster.sql("SELECT datname FROM pg_database WHERE datname = 'yinling_bureau_half'") == []

    events, kiosks = Event.select().count(), list(Kiosk.select(Kiosk.kiosk_id, Kiosk.key).tuples())
    close_store()
    try:
        restored = cluster.socket_url("yinling_bureau_restored")
        migrate = subprocess.run(
            [sys.executable, "-m", "bureau", "migrate"],
            env={**os.environ, "PYTHONPATH": str(ROOT), "YINLING_BUREAU_DB": restored},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert migrate.returncode == 0 and migrate.stdout.startswith("schema version "), migrate.stderr
        open_store(restored)
        assert Event.select().count() == events > 0
        assert list(Kiosk.select(Kiosk.kiosk_id, Kiosk.key).tuples()) == kiosks  # sealed keys, opened by the secret
        owner = cluster.sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'yinling_bureau_restored'")
        tables = cluster.connect("yinling_bureau_restored")
        try:
            with tables.cursor() as cursor:
                cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
                assert cursor.fetchall() == [("yinling-bureau",)] and owner == [("yinling-bureau",)]
        finally:
            tables.close()
    finally:
        close_store()
        open_store(bureau.store_url)
