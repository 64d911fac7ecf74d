"""Versioned migrations: the fresh schema is the models' schema; an interrupted one changes nothing."""

import pytest
from peewee import OperationalError, SqliteDatabase

from kiosk.store import migrations, models
from kiosk.store.db import open_db


def schema(database) -> dict:
    """Per table: its columns, foreign keys and indexes (with their columns and uniqueness)."""
    out = {}
    tables = database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    for (table,) in tables:
        indexes = {}
        for row in database.execute_sql(f'PRAGMA index_list("{table}")').fetchall():
            name, unique = row[1], row[2]
            columns = [r[2] for r in database.execute_sql(f'PRAGMA index_info("{name}")').fetchall()]
            indexes[name] = (bool(unique), tuple(columns))
        out[table] = {
            "columns": database.execute_sql(f'PRAGMA table_info("{table}")').fetchall(),
            "foreign_keys": sorted(
                r[2:] for r in database.execute_sql(f'PRAGMA foreign_key_list("{table}")').fetchall()
            ),
            "indexes": indexes,
        }
    return out


def versions(database) -> list[tuple]:
    return database.execute_sql("SELECT version, name FROM schema_version ORDER BY version").fetchall()


def test_fresh_database_schema_equals_the_models(tmp_path, database):
    reference = SqliteDatabase(str(tmp_path / "models.db"))
    with reference.bind_ctx(models.ALL):
        reference.create_tables(models.ALL)
    migrated = schema(database)
    assert migrated.pop("schema_version")["columns"]
    assert migrated == schema(reference)
    reference.close()


def test_fresh_database_records_every_script(database):
    assert versions(database) == [(n, p.name) for n, p in migrations.scripts()]
    assert migrations.current_version(database) == migrations.scripts()[-1][0]


def test_reopening_migrates_nothing(settings, database):
    before = schema(database)
    database.close()
    again = open_db(settings.kiosk.data_dir)
    assert schema(again) == before
    assert versions(again) == REAL
    again.close()


REAL = [(n, p.name) for n, p in migrations.scripts()]
NEXT = REAL[-1][0] + 1  # after the last one (numbers may have gaps while branches merge)


def test_scripts_are_numbered_in_order():
    numbers = [n for n, _ in migrations.scripts()]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers) and numbers[0] == 1


@pytest.fixture
def extra_script(tmp_path, monkeypatch):
    """A temporary script after the real ones; the test writes its text."""
    path = tmp_path / "scripts" / f"{NEXT:04d}_volunteer_hours.sql"
    path.parent.mkdir()
    real = migrations.scripts()
    monkeypatch.setattr(migrations, "scripts", lambda: real + [(NEXT, path)])
    return path


def test_interrupted_migration_leaves_schema_and_version_unchanged(settings, database, extra_script):
    before = schema(database)
    extra_script.write_text(
        "-- a later migration: volunteer hours\n"
        'CREATE TABLE "volunteer_hours" ("id" INTEGER NOT NULL PRIMARY KEY, "member_id" INTEGER NOT NULL);\n'
        'ALTER TABLE "member" ADD COLUMN "volunteer_minutes" INTEGER NOT NULL DEFAULT 0;\n'
        'CREATE INDEX "vh_missing" ON "no_such_table" ("id");\n',
        encoding="utf-8",
    )
    with pytest.raises(OperationalError):
        migrations.migrate(database)
    assert schema(database) == before
    assert versions(database) == REAL

    # Fixed and started again: the whole script applies, with its version row.
    extra_script.write_text(
        extra_script.read_text(encoding="utf-8").replace('"no_such_table"', '"volunteer_hours"'), encoding="utf-8"
    )
    database.close()
    again = open_db(settings.kiosk.data_dir)
    assert versions(again) == REAL + [(NEXT, extra_script.name)]
    after = schema(again)
    assert "volunteer_hours" in after
    assert "volunteer_minutes" in [c[1] for c in after["member"]["columns"]]
    assert "vh_missing" in after["volunteer_hours"]["indexes"]
    again.close()


def test_a_failing_second_statement_rolls_back_the_first(database, extra_script):
    extra_script.write_text('CREATE TABLE "a" ("id" INTEGER PRIMARY KEY);\nTHIS IS NOT SQL;\n', encoding="utf-8")
    with pytest.raises(OperationalError):
        migrations.migrate(database)
    assert "a" not in schema(database)
    assert migrations.current_version(database) == NEXT - 1
    extra_script.write_text('CREATE TABLE "a" ("id" INTEGER PRIMARY KEY);\n', encoding="utf-8")
    assert migrations.migrate(database) == NEXT
    assert "a" in schema(database)
