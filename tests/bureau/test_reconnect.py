"""The bureau on PostgreSQL after its connections were terminated (pg_terminate_backend: a
failover, an operator, a restarted server): the next request from a kiosk is answered, never a
500 — whether the connection died idle in the pool or in the middle of the request, during its
authentication (nothing of it committed) or during its action (the nonce committed: the action
alone runs again, not refused as a replay)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest

from bureau import admin
from bureau.models import Event, Kiosk
from bureau.schema import open_store
from bureau.store import close_store

from .conftest import MEMBER_PREFIX, SITE, SITE_NAME, Client, batch, fact, wait_until
from .faults import BureauProcess
from .test_faults_crash import terminate_bureau_connections

POOLED = 4  # requests at once: the pool holds several connections when they are terminated


@pytest.fixture
def pg_bureau(postgres_cluster, tmp_path):
    """A bureau process on a fresh PostgreSQL database, and a client of kiosk DEMO-001-K01."""
    name = f"bureau_{uuid.uuid4().hex[:12]}"
    postgres_cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    url = postgres_cluster.url(name)
    open_store(url)
    admin.add_site(SITE, SITE_NAME, prefix=MEMBER_PREFIX)
    kiosk = admin.add_kiosk(SITE, "front desk")
    server = BureauProcess(url, tmp_path)
    server.start()
    try:
        with Client(server.url, kiosk.kiosk_id, kiosk.key) as client:
            yield server, kiosk, client
    finally:
        server.stop()
        close_store()
        postgres_cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def no_server_errors(server: BureauProcess) -> None:
    log = server.log.read_text()
    assert " failed" not in log and "Traceback" not in log, log[-3000:]


def test_requests_after_the_pools_connections_were_terminated_succeed(postgres_cluster, pg_bureau):
    server, kiosk, client = pg_bureau
    seq = 0
    for _ in range(3):
        with ThreadPoolExecutor(POOLED) as pool:
            states = list(pool.map(lambda _: client.state().status_code, range(4 * POOLED)))
        assert states == [200] * 4 * POOLED
        assert terminate_bureau_connections(postgres_cluster.port) >= 2, "too few connections to terminate"
        for _ in range(POOLED + 2):  # more requests than dead connections in the pool
            seq += 1
            pushed = client.push(batch(kiosk.kiosk_id, [fact(seq)]))
            assert (pushed.status_code, pushed.json().get("inserted")) == (200, 1), pushed.text
        pulled = client.send("GET", "/v1/pull?stream=members&after=0")
        assert pulled.status_code == 200, pulled.text
    assert Event.select().count() == seq and Kiosk.get_by_id(kiosk.id).acked_seq == seq
    no_server_errors(server)


def terminate_in_the_middle(port: int, table: str, request) -> object:
    """Run request() while `table` is locked against writes; the bureau's connection that waits
    for the lock is terminated, then the lock released: what request() returned."""
    database = Kiosk._meta.database.database
    locker = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=database)
    # Another connection watches: a transaction sees pg_stat_activity as of its first look.
    watcher = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=database)
    watcher.autocommit = True
    result = {}
    try:
        with locker.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')  # reads pass, writes wait
        sender = threading.Thread(target=lambda: result.update(reply=request()))
        sender.start()
        with watcher.cursor() as cursor:
            waiting = wait_until(lambda: waiting_pids(cursor), 20, f"the bureau to wait to write {table}")
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM unnest(%s::int[]) pid", (waiting,))
            assert cursor.fetchone()[0] == 1
        locker.rollback()
        sender.join(timeout=30)
        assert not sender.is_alive()
    finally:
        locker.close()
        watcher.close()
    return result["reply"]


def waiting_pids(cursor) -> list[int]:
    cursor.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
        (BureauProcess.APP_NAME,),
    )
    return [pid for (pid,) in cursor.fetchall()]


@pytest.mark.parametrize("table", ["nonce", "event"])
def test_a_connection_terminated_mid_request_is_replaced_and_the_request_answered(postgres_cluster, pg_bureau, table):
    """nonce: the connection dies while authenticating (its transaction rolls back, the nonce is
    not recorded); event: while the push stores its facts, after the nonce committed."""
    server, kiosk, client = pg_bureau
    assert client.push(batch(kiosk.kiosk_id, [fact(1)])).status_code == 200
    pushed = terminate_in_the_middle(
        postgres_cluster.port, table, lambda: client.push(batch(kiosk.kiosk_id, [fact(2), fact(3)]))
    )
    assert (pushed.status_code, pushed.json().get("inserted"), pushed.json().get("acked_seq")) == (200, 2, 3), (
        pushed.text
    )
    assert Event.select().count() == 3
    assert "the store closed a connection" in server.log.read_text()
    no_server_errors(server)
