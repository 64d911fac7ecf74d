"""open_store(): a SQLite file with durable pragmas, or a pool of PostgreSQL connections."""

import os
import stat
import subprocess
import sys

import pytest
from peewee import SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

from bureau.models import MODELS
from bureau.schema import open_store
from bureau.store import StoreError, close_store, db, make_database

from .conftest import bureau_env


@pytest.mark.parametrize("form", ["path", "url"])
def test_a_sqlite_store(tmp_path, form):
    path = tmp_path / "bureau.db"
    database = open_store(str(path) if form == "path" else f"sqlite:///{path}")
    try:
        assert isinstance(database, SqliteDatabase) and db.obj is database and path.is_file()

        def pragma(name):
            return database.execute_sql(f"PRAGMA {name}").fetchone()[0]

        assert (pragma("journal_mode"), pragma("synchronous"), pragma("foreign_keys"), pragma("busy_timeout")) == (
            "wal",
            2,
            1,
            5000,
        )  # synchronous 2 = FULL
        assert set(database.get_tables()) == {m._meta.table_name for m in MODELS} | {"schema_version"}
    finally:
        close_store()
    assert open_store(str(path)).get_tables()  # opening again keeps what is there
    close_store()


def test_a_postgresql_store_is_a_pool(postgres_cluster):
    postgres_cluster.sql('CREATE DATABASE "store_test" TEMPLATE template0')
    try:
        database = open_store(postgres_cluster.url("store_test"))
        assert isinstance(database, PooledPostgresqlDatabase)
        assert (database._max_connections, database._stale_timeout) == (20, 300)
        assert (database.connect_params["host"], database.connect_params["port"]) == (
            "127.0.0.1",
            postgres_cluster.port,
        )
        assert set(database.get_tables()) == {m._meta.table_name for m in MODELS} | {"schema_version"}
        close_store()
    finally:
        postgres_cluster.sql('DROP DATABASE "store_test" WITH (FORCE)')


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite://", "postgresql://u@h:5432/", "sqlite://relative.db"])
def test_a_url_the_bureau_cannot_use(url):
    with pytest.raises(StoreError):
        make_database(url)


def test_a_sqlite_store_is_for_its_owner_only(tmp_path):
    path = tmp_path / "bureau.db"
    path.touch(mode=0o644)  # one made before stores were private
    old = os.umask(0o022)
    try:
        open_store(str(path))
        close_store()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_bureau_program_makes_its_files_private(tmp_path):
    """`python -m bureau` (serve and every other command) under a permissive umask: the store and
    its -wal are the owner's only, as is anything else it writes."""
    old = os.umask(0o022)
    try:
        url = str(tmp_path / "new.db")
        done = subprocess.run(
            [sys.executable, "-m", "bureau", "--db", url, "site", "add", "DEMO-001", "示范中心"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=bureau_env(),
            timeout=60,
        )
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    made = [p for p in tmp_path.iterdir() if p.name.startswith("new.db")]
    assert made and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made), made
