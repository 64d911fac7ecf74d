"""Versioned migrations of the bureau's store (bureau/migrations), on SQLite and PostgreSQL: every
way through the scripts ends at the models' schema, a store made before versions existed is
adopted with its rows, and openers at once take turns."""

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import uuid

import pytest
from peewee import DatabaseError, IntegrityError, SqliteDatabase

from bureau import admin, migrations, sealing, streams
from bureau.models import MODELS, Event, Kiosk
from bureau.schema import open_store
from bureau.store import close_store, make_database, utcnow
from contract import idhash
from tests.bureau.conftest import SITE_NAME, bureau_env, wait_until

# --- what a store holds ---------------------------------------------------------------------------


def schema(database) -> dict:
    """Per table: its columns (type, nullability, default, in order), constraints and indexes."""
    return _sqlite_schema(database) if isinstance(database, SqliteDatabase) else _postgresql_schema(database)


def _sqlite_schema(database) -> dict:
    def rows(sql, params=()):
        return database.execute_sql(sql, params).fetchall()

    out = {}
    for table in database.get_tables():
        indexes = {}
        for _, name, unique, origin, partial in rows(f'PRAGMA index_list("{table}")'):
            columns = tuple(r[2] for r in rows(f'PRAGMA index_info("{name}")'))
            sql = rows("SELECT sql FROM sqlite_master WHERE name = ?", (name,))[0][0]  # None: made by SQLite for a key
            where = sql.split(" WHERE ")[1] if partial else None
            indexes[name] = (bool(unique), origin, columns, where)
        out[table] = {
            "columns": rows(f'PRAGMA table_info("{table}")'),
            "foreign_keys": sorted(r[2:] for r in rows(f'PRAGMA foreign_key_list("{table}")')),
            "indexes": indexes,
        }
    return out


def _postgresql_schema(database) -> dict:
    def rows(sql):
        return database.execute_sql(sql).fetchall()

    out = {table: {"columns": [], "constraints": set(), "indexes": {}} for table in database.get_tables()}
    for table, *column in rows(
        "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, "
        "column_default FROM information_schema.columns WHERE table_schema = 'public' "
        "ORDER BY table_name, ordinal_position"
    ):
        out[table]["columns"].append(tuple(column))
    for table, name, definition in rows(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
    ):
        out[table]["constraints"].add((name, definition))
    for table, name, definition in rows(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    ):
        out[table]["indexes"][name] = definition
    return out


def versions(database) -> list[tuple]:
    return [tuple(r) for r in database.execute_sql('SELECT "version", "name" FROM "schema_version" ORDER BY 1')]


def without_versions(database) -> dict:
    found = schema(database)
    assert found.pop("schema_version")["columns"]
    return found


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


@pytest.fixture
def other_store(request, tmp_path):
    """Makes further empty stores of the same kind as `store_url`: their URLs (dropped after)."""
    made = []

    def make(store_url: str) -> str:
        name = f"other_{uuid.uuid4().hex[:12]}"
        if is_sqlite(store_url):
            return f"sqlite:///{tmp_path / (name + '.db')}"
        cluster = request.getfixturevalue("postgres_cluster")
        cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        made.append((cluster, name))
        return cluster.url(name)

    yield make
    for cluster, name in made:
        cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def models_schema(store_url, other_store) -> dict:
    """The schema create_tables(MODELS) makes in an empty store of the same kind."""
    database = make_database(other_store(store_url))
    try:
        with database.connection_context(), database.bind_ctx(MODELS):
            database.create_tables(MODELS)
            return schema(database)
    finally:
        database.close_all()


@pytest.fixture
def raw(store_url):
    """The store `store_url` names, open but not migrated and no models bound to it."""
    database = make_database(store_url)
    yield database
    database.close_all()


REAL = [(n, migrations.script_name(p)) for n, p in migrations.scripts("sqlite")]


# --- the scripts ----------------------------------------------------------------------------------


def test_both_dialects_have_the_same_versions_in_order():
    assert REAL[0] == (1, "0001_initial")
    assert [n for n, _ in REAL] == sorted({n for n, _ in REAL})  # numbered in order, each once
    assert [(n, migrations.script_name(p)) for n, p in migrations.scripts("postgresql")] == REAL


# --- (a) a new store ------------------------------------------------------------------------------


def test_a_new_store_has_exactly_the_models_schema(store_url, models_schema):
    database = open_store(store_url)
    try:
        assert versions(database) == REAL
        assert without_versions(database) == models_schema
    finally:
        close_store()


# --- (b) a store made before versions existed -------------------------------------------------------

# The tables as the bureau's first version made them (its models: Site, Kiosk without head_seq
# and last_pull, Event, EventReject, Nonce), in each dialect.
FIRST_VERSION = {
    "sqlite": """
CREATE TABLE "site" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" VARCHAR(255) NOT NULL);
CREATE UNIQUE INDEX "site_code" ON "site" ("code");
CREATE TABLE "kiosk" ("id" INTEGER NOT NULL PRIMARY KEY, "kiosk_id" VARCHAR(64) NOT NULL, "site_id" INTEGER NOT NULL,
  "name" VARCHAR(255) NOT NULL, "key" VARCHAR(64) NOT NULL, "old_key" VARCHAR(64), "old_key_until" DATETIME,
  "revoked_at" DATETIME, "epoch" INTEGER NOT NULL, "acked_seq" INTEGER NOT NULL, "last_seen" DATETIME,
  "client_version" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL,
  FOREIGN KEY ("site_id") REFERENCES "site" ("id"));
CREATE UNIQUE INDEX "kiosk_kiosk_id" ON "kiosk" ("kiosk_id");
CREATE INDEX "kiosk_site_id" ON "kiosk" ("site_id");
CREATE TABLE "event" ("id" INTEGER NOT NULL PRIMARY KEY, "event_id" TEXT NOT NULL, "kiosk_id" INTEGER NOT NULL,
  "epoch" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "site_id" INTEGER NOT NULL, "kind" VARCHAR(32) NOT NULL,
  "schema_v" INTEGER NOT NULL, "wall_ms" INTEGER NOT NULL, "received_at" DATETIME NOT NULL, "skew_ms" INTEGER NOT NULL,
  "skewed" INTEGER NOT NULL, "payload" TEXT NOT NULL, FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id"),
  FOREIGN KEY ("site_id") REFERENCES "site" ("id"));
CREATE UNIQUE INDEX "event_event_id" ON "event" ("event_id");
CREATE INDEX "event_site_id" ON "event" ("site_id");
CREATE UNIQUE INDEX "event_kiosk_id_epoch_seq" ON "event" ("kiosk_id", "epoch", "seq");
CREATE TABLE "event_reject" ("id" INTEGER NOT NULL PRIMARY KEY, "event_id" VARCHAR(64) NOT NULL,
  "kiosk_id" INTEGER NOT NULL, "epoch" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "code" VARCHAR(32) NOT NULL,
  "reason" TEXT NOT NULL, "payload" TEXT NOT NULL, "received_at" DATETIME NOT NULL,
  FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id"));
CREATE UNIQUE INDEX "event_reject_event_id" ON "event_reject" ("event_id");
CREATE INDEX "event_reject_kiosk_id_epoch_seq" ON "event_reject" ("kiosk_id", "epoch", "seq");
CREATE TABLE "nonce" ("id" INTEGER NOT NULL PRIMARY KEY, "kiosk_id" INTEGER NOT NULL, "nonce" VARCHAR(64) NOT NULL,
  "at" DATETIME NOT NULL, FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id"));
CREATE INDEX "nonce_at" ON "nonce" ("at");
CREATE UNIQUE INDEX "nonce_kiosk_id_nonce" ON "nonce" ("kiosk_id", "nonce");
""",
    "postgresql": """
CREATE TABLE "site" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "name" VARCHAR(255) NOT NULL);
CREATE UNIQUE INDEX "site_code" ON "site" ("code");
CREATE TABLE "kiosk" ("id" SERIAL NOT NULL PRIMARY KEY, "kiosk_id" VARCHAR(64) NOT NULL, "site_id" INTEGER NOT NULL,
  "name" VARCHAR(255) NOT NULL, "key" VARCHAR(64) NOT NULL, "old_key" VARCHAR(64), "old_key_until" TIMESTAMP,
  "revoked_at" TIMESTAMP, "epoch" INTEGER NOT NULL, "acked_seq" BIGINT NOT NULL, "last_seen" TIMESTAMP,
  "client_version" VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL,
  FOREIGN KEY ("site_id") REFERENCES "site" ("id"));
CREATE UNIQUE INDEX "kiosk_kiosk_id" ON "kiosk" ("kiosk_id");
CREATE INDEX "kiosk_site_id" ON "kiosk" ("site_id");
CREATE TABLE "event" ("id" SERIAL NOT NULL PRIMARY KEY, "event_id" UUID NOT NULL, "kiosk_id" INTEGER NOT NULL,
  "epoch" INTEGER NOT NULL, "seq" BIGINT NOT NULL, "site_id" INTEGER NOT NULL, "kind" VARCHAR(32) NOT NULL,
  "schema_v" INTEGER NOT NULL, "wall_ms" BIGINT NOT NULL, "received_at" TIMESTAMP NOT NULL, "skew_ms" BIGINT NOT NULL,
  "skewed" BOOLEAN NOT NULL, "payload" TEXT NOT NULL, FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id"),
  FOREIGN KEY ("site_id") REFERENCES "site" ("id"));
CREATE UNIQUE INDEX "event_event_id" ON "event" ("event_id");
CREATE INDEX "event_site_id" ON "event" ("site_id");
CREATE UNIQUE INDEX "event_kiosk_id_epoch_seq" ON "event" ("kiosk_id", "epoch", "seq");
CREATE TABLE "event_reject" ("id" SERIAL NOT NULL PRIMARY KEY, "event_id" VARCHAR(64) NOT NULL,
  "kiosk_id" INTEGER NOT NULL, "epoch" INTEGER NOT NULL, "seq" BIGINT NOT NULL, "code" VARCHAR(32) NOT NULL,
  "reason" TEXT NOT NULL, "payload" TEXT NOT NULL, "received_at" TIMESTAMP NOT NULL,
  FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id"));
CREATE UNIQUE INDEX "event_reject_event_id" ON "event_reject" ("event_id");
CREATE INDEX "event_reject_kiosk_id_epoch_seq" ON "event_reject" ("kiosk_id", "epoch", "seq");
CREATE TABLE "nonce" ("id" SERIAL NOT NULL PRIMARY KEY, "kiosk_id" INTEGER NOT NULL, "nonce" VARCHAR(64) NOT NULL,
  "at" TIMESTAMP NOT NULL, FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id"));
CREATE INDEX "nonce_at" ON "nonce" ("at");
CREATE UNIQUE INDEX "nonce_kiosk_id_nonce" ON "nonce" ("kiosk_id", "nonce");
""",
}

KIOSK_COLUMNS = (
    "kiosk_id",
    "site_id",
    "name",
    "key",
    "old_key",
    "old_key_until",
    "revoked_at",
    "epoch",
    "acked_seq",
    "last_seen",
    "client_version",
    "created_at",
)
KIOSKS = [
    (
        "OLD-001-K01",
        1,
        "前台",
        "a" * 64,
        None,
        None,
        None,
        2,
        41,
        "2026-11-20 08:00:00",
        "0.1.0",
        "2026-11-01 08:00:00",
    ),
    (
        "OLD-001-K02",
        1,
        "",
        "b" * 64,
        "c" * 64,
        "2026-11-22 08:00:00",
        "2026-11-21 09:00:00",
        1,
        0,
        None,
        "",
        "2026-11-02 08:00:00",
    ),
]
OLD_TABLES = ("site", "kiosk", "event", "event_reject", "nonce")


def insert(database, table: str, columns: tuple, values: tuple) -> None:
    marks = ", ".join([database.param] * len(values))
    names = ", ".join(f'"{c}"' for c in columns)
    database.execute_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)


def fill(database, kiosk_columns: tuple, kiosks: list[tuple]) -> None:
    """A site, two kiosks, and a fact, a refused fact and a nonce of theirs; ids given by the store
    (1, 2 …), so that its sequences are as the bureau's own inserts leave them."""
    insert(database, "site", ("code", "name"), ("OLD-001", "旧站点"))
    for kiosk in kiosks:
        insert(database, "kiosk", kiosk_columns, kiosk)
    insert(
        database,
        "event",
        (
            "event_id",
            "kiosk_id",
            "epoch",
            "seq",
            "site_id",
            "kind",
            "schema_v",
            "wall_ms",
            "received_at",
            "skew_ms",
            "skewed",
            "payload",
        ),
        (str(uuid.uuid4()), 1, 2, 41, 1, "signin", 1, 1_700_000_000_000, "2026-11-20 08:00:01", -120, False, "{}"),
    )
    insert(
        database,
        "event_reject",
        ("event_id", "kiosk_id", "epoch", "seq", "code", "reason", "payload", "received_at"),
        ("not-a-uuid", 2, 1, 1, "invalid", "event_id is not a UUID", "{}", "2026-11-21 08:00:00"),
    )
    insert(database, "nonce", ("kiosk_id", "nonce", "at"), (1, "n" * 32, "2026-11-20 08:00:01"))


def opened(kiosk_row: tuple) -> tuple:
    """A row of the kiosk table with its keys (the 5th and 6th columns) as the bureau reads them."""
    return (*kiosk_row[:4], *(Kiosk.key.python_value(v) for v in kiosk_row[4:6]), *kiosk_row[6:])


def table_rows(database, table: str) -> list[tuple]:
    return [tuple(r) for r in database.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1')]


def test_a_store_of_the_first_version_is_adopted_as_version_1_with_its_rows(store_url, raw, models_schema):
    with raw.atomic():
        for statement in FIRST_VERSION[migrations.dialect(raw)].split(";"):
            if statement.strip():
                raw.execute_sql(statement)
        fill(raw, KIOSK_COLUMNS, KIOSKS)
    before = {table: table_rows(raw, table) for table in OLD_TABLES}
    raw.close_all()

    database = open_store(store_url)
    try:
        assert versions(database) == REAL
        assert without_versions(database) == models_schema
        after = {table: table_rows(database, table) for table in OLD_TABLES}
        assert {t: rows for t, rows in after.items() if t not in ("kiosk", "site")} == {
            t: rows for t, rows in before.items() if t not in ("kiosk", "site")
        }
        assert_sites_kept(before["site"], after["site"])
        # Each kiosk as it was, with head_seq and last_pull (the last two columns) as the models
        # default them, and its keys sealed (bureau/sealing.py).
        assert [opened(row)[:-2] for row in after["kiosk"]] == before["kiosk"]
        assert all(sealing.is_sealed(row[4]) for row in after["kiosk"])
        assert [row[-2:] for row in after["kiosk"]] == [(0, None), (0, None)]
        assert [(k.kiosk_id, k.head_seq, k.last_pull) for k in Kiosk.select().order_by(Kiosk.id)] == [
            ("OLD-001-K01", 0, None),
            ("OLD-001-K02", 0, None),
        ]

        # The bureau goes on with it: a new kiosk takes the next id, and the facts still hold their kiosk.
        assert admin.add_kiosk("OLD-001", "新机").id == 3
        assert Event.get().kiosk.kiosk_id == "OLD-001-K01"
        with pytest.raises(IntegrityError), database.atomic():
            Kiosk.delete_by_id(1)
        if is_sqlite(store_url):
            assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        close_store()


def assert_sites_kept(before: list[tuple], after: list[tuple]) -> None:
    """Each site as it was, with no member-number prefix yet (version 3 added the column), a
    centre not yet placed in the hierarchy (version 6 added kind and region last)."""
    assert [row[:3] for row in after] == [row[:3] for row in before]
    assert {row[3:] for row in after} == {(None, "center", None)}


def test_a_store_of_the_last_models_without_versions_is_adopted_unchanged(store_url, raw, models_schema):
    # The tables as the bureau made them last without versions (create_tables(MODELS) then): 0001.
    first = migrations.scripts(migrations.dialect(raw))[0][1]
    with raw.atomic():
        for statement in migrations._statements(first.read_text(encoding="utf-8")):
            raw.execute_sql(statement)
        fill(raw, (*KIOSK_COLUMNS, "head_seq", "last_pull"), [(*k, 45, "2026-11-20 08:05:00") for k in KIOSKS])
    before = {table: table_rows(raw, table) for table in raw.get_tables()}
    raw.close_all()

    database = open_store(store_url)
    try:
        assert versions(database) == REAL
        assert without_versions(database) == models_schema
        after = {table: table_rows(database, table) for table in before if table not in ("stream_meta", "site")}
        after["kiosk"] = [opened(row) for row in after["kiosk"]]
        assert after == {t: rows for t, rows in before.items() if t not in ("stream_meta", "site")}
        assert_sites_kept(before["site"], table_rows(database, "site"))
        assert [(k.head_seq, k.last_pull.hour) for k in Kiosk.select()] == [(45, 8), (45, 8)]
    finally:
        close_store()


def test_a_store_of_version_1_gets_64_bit_balances_with_its_rows(store_url, monkeypatch, models_schema):
    """Version 2 widens member.balance and ledger_entry.balance_after in place: the rows stay, and
    a balance past 2^31 - 1 is stored (PostgreSQL refused it: integer out of range)."""
    real = migrations.scripts
    monkeypatch.setattr(migrations, "scripts", lambda dialect: real(dialect)[:1])
    database = open_store(store_url)
    try:
        with database.atomic():  # as version 1 knew a site (today's model has more columns)
            database.execute_sql('INSERT INTO "site" ("code", "name") VALUES (\'DEMO-001\', \'示范\')')
            database.execute_sql(MEMBER_ROW.format(p=database.param), ("DM0001", 1, 12))
            database.execute_sql(ENTRY_ROW.format(p=database.param), ("e1", "DM0001", 12, 12))
        assert versions(database) == REAL[:1]
    finally:
        close_store()
    monkeypatch.setattr(migrations, "scripts", real)

    database = open_store(store_url)
    try:
        assert versions(database) == REAL
        assert without_versions(database) == models_schema
        big = 2**31 + 5
        with database.atomic():
            database.execute_sql(MEMBER_ROW.format(p=database.param), ("DM0002", 1, big))
            database.execute_sql(ENTRY_ROW.format(p=database.param), ("e2", "DM0002", 5, big))
        balances = database.execute_sql('SELECT member_no, balance FROM "member" ORDER BY 1').fetchall()
        assert [tuple(r) for r in balances] == [("DM0001", 12), ("DM0002", big)]
        afters = database.execute_sql('SELECT entry_id, balance_after FROM "ledger_entry" ORDER BY 1').fetchall()
        assert [tuple(r) for r in afters] == [("e1", 12), ("e2", big)]
    finally:
        close_store()


MEMBER_ROW = (
    'INSERT INTO "member" ("member_no", "name", "gender", "id_last4", "phone_last4", "site_id", "active", "balance",'
    " \"updated_at\") VALUES ({p}, '王建华', '', '', '', {p}, TRUE, {p}, '2026-11-20 09:00:00')"
)
ENTRY_ROW = (
    'INSERT INTO "ledger_entry" ("entry_id", "member_no", "amount", "kind", "rule", "business_day", "balance_after",'
    " \"note\", \"at\", \"recorded_at\") VALUES ({p}, {p}, {p}, 'correction', '', '2026-11-20', {p}, '',"
    " '2026-11-20 09:00:00', '2026-11-20 09:00:00')"
)


# --- (c) opening again --------------------------------------------------------------------------


def test_opening_an_up_to_date_store_again_changes_nothing(store_url):
    database = open_store(store_url)
    admin.add_site("DEMO-001", "示范")
    admin.add_kiosk("DEMO-001")

    def state():
        return schema(database), versions(database), {t: table_rows(database, t) for t in database.get_tables()}

    before = state()
    close_store()
    try:
        database = open_store(store_url)
        assert state() == before
        with database.connection_context():
            assert migrations.migrate(database) == REAL[-1][0]
        assert state() == before
    finally:
        close_store()


# --- (d) openers at once --------------------------------------------------------------------------


def test_a_second_opener_waits_for_the_first_ones_migration(store_url, request, monkeypatch, models_schema):
    """The first opener is held inside its migration's transaction, everything done but the commit,
    until the second is waiting for the migration lock; the second must then find version 1 made."""
    first_done_uncommitted, let_first_commit, second_began = threading.Event(), threading.Event(), threading.Event()
    real_apply = migrations._apply

    def apply_then_hold(database, kind, number, path):
        real_apply(database, kind, number, path)
        if threading.current_thread().name == "first":
            first_done_uncommitted.set()
            assert let_first_commit.wait(60)

    monkeypatch.setattr(migrations, "_apply", apply_then_hold)
    results: dict[str, object] = {}

    def opener():
        name = threading.current_thread().name
        database = make_database(store_url)
        try:
            with database.connection_context():
                if name == "second" and is_sqlite(store_url):
                    database.connection().set_trace_callback(lambda sql: sql.startswith("BEGIN") and second_began.set())
                results[name] = migrations.migrate(database)
        except Exception as e:
            results[name] = e
        finally:
            database.close_all()

    def second_waits_for_the_lock() -> bool:
        if is_sqlite(store_url):
            return second_began.is_set()  # its BEGIN IMMEDIATE started while the first holds the lock
        cluster = request.getfixturevalue("postgres_cluster")
        name = store_url.rsplit("/", 1)[1]
        return (
            cluster.sql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}' AND wait_event_type = 'Lock'")[
                0
            ][0]
            > 0
        )

    first = threading.Thread(target=opener, name="first")
    second = threading.Thread(target=opener, name="second")
    first.start()
    try:
        assert first_done_uncommitted.wait(60), results
        second.start()
        wait_until(
            lambda: second_waits_for_the_lock() or not second.is_alive(),
            30,
            "the second opener to wait for the migration lock",
        )
        assert second.is_alive(), f"the second opener did not wait for the first: {results}"
    finally:
        let_first_commit.set()
        first.join(60)
        if second.ident:
            second.join(60)
    assert results == {"first": REAL[-1][0], "second": REAL[-1][0]}
    database = make_database(store_url)
    try:
        assert versions(database) == REAL
        assert without_versions(database) == models_schema
    finally:
        database.close_all()


def test_bureau_commands_started_together_on_a_new_store_both_succeed(store_url, tmp_path):
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "bureau", "--db", store_url, "site", "list"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=tmp_path,
            env=bureau_env(),
        )
        for _ in range(2)
    ]
    outputs = [c.communicate(timeout=60)[0] for c in commands]
    assert [c.returncode for c in commands] == [0, 0], outputs
    database = make_database(store_url)
    try:
        assert versions(database) == REAL
        assert database.execute_sql('SELECT count(*) FROM "stream_meta"').fetchone()[0] == len(streams.STREAMS)
    finally:
        database.close_all()


# --- a failing migration ------------------------------------------------------------------------

NEXT = REAL[-1][0] + 1


@pytest.fixture
def next_script(store, store_url, tmp_path, monkeypatch):
    """A script after the real ones, for the store (already at the newest real version); the test
    writes its text."""
    kind = "sqlite" if is_sqlite(store_url) else "postgresql"
    path = tmp_path / "scripts" / f"{NEXT:04d}_volunteer_hours.{kind}.sql"
    path.parent.mkdir()
    real = migrations.scripts
    monkeypatch.setattr(migrations, "scripts", lambda dialect: real(dialect) + [(NEXT, path)])
    return path


def test_a_failing_migration_changes_nothing_and_runs_again_once_fixed(store, store_url, next_script):
    database = store
    try:
        next_script.write_text(
            'CREATE TABLE "volunteer_hours" ("id" INTEGER NOT NULL PRIMARY KEY, "member_no" VARCHAR(32) NOT NULL);\n'
            'ALTER TABLE "member" ADD COLUMN "volunteer_minutes" INTEGER NOT NULL DEFAULT 0;\n'
            'CREATE INDEX "vh_missing" ON "no_such_table" ("id");\n',
            encoding="utf-8",
        )
        with database.connection_context():
            before = schema(database)
            with pytest.raises(DatabaseError):
                migrations.migrate(database)
            assert schema(database) == before
            assert versions(database) == REAL
            if is_sqlite(store_url):
                assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1

        next_script.write_text(
            next_script.read_text(encoding="utf-8").replace('"no_such_table"', '"volunteer_hours"'), encoding="utf-8"
        )
        close_store()
        database = open_store(store_url)
        assert versions(database) == REAL + [(NEXT, f"{NEXT:04d}_volunteer_hours")]
        with database.connection_context():
            after = schema(database)
        assert "vh_missing" in after["volunteer_hours"]["indexes"]
        assert len(after["member"]["columns"]) == len(before["member"]["columns"]) + 1
    finally:
        close_store()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_sqlite_migration_that_leaves_a_dangling_reference_is_refused(store, next_script):
    next_script.write_text(
        'INSERT INTO "nonce" ("kiosk_id", "nonce", "at") VALUES (99, \'x\', \'2026-12-01\');\n', encoding="utf-8"
    )
    with store.connection_context():
        with pytest.raises(IntegrityError, match="refer to missing"):
            migrations.migrate(store)
        assert versions(store) == REAL
        assert store.execute_sql('SELECT count(*) FROM "nonce"').fetchone()[0] == 0


# --- version 4: an id_hash alone ------------------------------------------------------------------


def test_version_4_upgrades_the_id_hashes_and_gives_members_to_their_own_site_only(raw, monkeypatch):
    real = migrations.scripts
    monkeypatch.setattr(migrations, "scripts", lambda kind: [s for s in real(kind) if s[0] < 4])
    with raw.connection_context():
        migrations.migrate(raw)
    monkeypatch.setattr(migrations, "scripts", real)
    plain = hmac.new(b"k" * 32, b"110105194910035303", hashlib.sha256).hexdigest()
    published = {
        "member_no": "DM0001",
        "name": "谢素珍",
        "gender": "女",
        "birth_year": 1949,
        "id_hash": plain,
        "id_last4": "5303",
        "phone_last4": "2960",
        "site": "DEMO-001",
        "joined": "2026-01-05",
        "active": True,
        "merged_into": None,
        "balance": 12,
    }
    q = ", ".join([raw.param] * 8)
    with raw.connection_context(), raw.atomic():
        raw.execute_sql(f"INSERT INTO site (code, name) VALUES ('DEMO-001', '{SITE_NAME}')")
        raw.execute_sql(
            "INSERT INTO member (member_no, name, gender, birth_year, id_hash, id_last4, phone_last4, site_id,"
            f" active, balance, updated_at) VALUES ('DM0001', '谢素珍', '女', 1949, {raw.param}, '5303', '2960',"
            f" 1, {raw.param}, 12, {raw.param})",
            (plain, True, utcnow()),
        )
        raw.execute_sql("INSERT INTO stream_meta VALUES ('members', 'old', 1, 0)")
        text = streams.canonical(published)
        raw.execute_sql(
            f"INSERT INTO stream_row (stream, entity_id, rev, scope, deleted, data, crc, changed_at) VALUES ({q})",
            ("members", "DM0001", 1, "", False, text, streams.crc("DM0001", text), utcnow()),
        )
        migrations.migrate(raw)
        assert raw.execute_sql("SELECT id_hash FROM member").fetchall() == [(idhash.upgraded(plain),)]
        rows = {
            stream: (rev, scope, json.loads(data), crc)
            for stream, rev, scope, data, crc in raw.execute_sql(
                "SELECT stream, rev, scope, data, crc FROM stream_row WHERE entity_id = 'DM0001'"
            ).fetchall()
        }
        heads = dict(raw.execute_sql("SELECT stream, head_rev FROM stream_meta").fetchall())
        handle = raw.execute_sql("SELECT handle FROM stream_meta WHERE stream = 'members'").fetchone()[0]
    full = {k: v for k, v in published.items() if k not in ("birth_year", "id_last4")}
    full["id_hash"] = idhash.upgraded(plain)
    full["card_issue"] = 1  # published before version 3 gave members one
    card = {k: full[k] for k in ("member_no", "id_hash", "site", "active", "merged_into", "card_issue")}
    assert rows == {
        "members": (2, "site:DEMO-001", full, streams.crc("DM0001", streams.canonical(full))),
        "cards": (1, "", card, streams.crc("DM0001", streams.canonical(card))),
    }
    assert heads == {"members": 2, "cards": 1} and handle != "old"  # every kiosk fetches members again
