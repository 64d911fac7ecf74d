"""A private PostgreSQL 15 cluster in a temporary folder, on a free port, with its socket there:
the bureau tests' store (tests/bureau/conftest.py, fsync off) and the benches' (fsync on, so the
figures are what a production store would give).  PostgreSQL refuses to run as root, so as root
it runs as user postgres.  With it, the helpers for the other servers they start (free_port,
stop_process)."""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from bureau.schema import open_store
from bureau.store import close_store

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, and SIGKILL if it has not exited within `timeout` seconds (a server the tests
    or benches started)."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Cluster:
    port: int
    socket_dir: Path  # where its Unix socket is, as /run/postgresql is a Debian server's

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def socket_url(self, name: str) -> str:
        """The database's URL over the Unix socket, in the form of packaging/bureau/env."""
        return f"postgresql://postgres@/{name}?host={self.socket_dir}&port={self.port}"

    def connect(self, name: str = "postgres"):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name)

    def sql(self, statement: str) -> list[tuple]:
        """One statement in the maintenance database, autocommit (CREATE DATABASE needs it)."""
        connection = self.connect()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def new_store(self, name: str) -> str:
        """A new, empty bureau store in this cluster: its URL, the tables created."""
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        url = self.url(name)
        open_store(url)
        close_store()
        return url


@contextmanager
def cluster(fsync: bool = True) -> Iterator[Cluster]:
    """Start a cluster on a free port of 127.0.0.1 (as user postgres when run as root), stop it after."""
    missing = [tool for tool in ("initdb", "pg_ctl") if not (PG_BIN / tool).is_file()]
    if missing:
        raise RuntimeError(
            f"PostgreSQL 15 is not installed ({', '.join(missing)} missing in {PG_BIN}): "
            "apt-get install postgresql-15 (./dev test installs it)"
        )
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    as_postgres = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, log = folder / "data", folder / "server.log"

    def pg(*args: str) -> None:
        done = subprocess.run([*as_postgres, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{done.stdout}{done.stderr}{tail}")

    pg(
        str(PG_BIN / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    port = free_port()
    pg(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(log),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync={'on' if fsync else 'off'}",
        "start",
    )
    try:
        yield Cluster(port, folder)
    finally:
        pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
