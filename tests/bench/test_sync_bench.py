"""The sync benchmark, run small on both stores: it pushes what it built, and the bureau holds it once."""

import json
import random
import sqlite3

import pytest

from bench import sync


def test_a_backlog_is_what_kiosks_write():
    rows = sync.outbox_rows(400, "BENCH-001-K01", random.Random(1), members=50)
    assert len(rows) == 400 and len({r[0] for r in rows}) == 400
    assert [r[3] for r in rows] == sorted(r[3] for r in rows)  # written in time order
    kinds = [r[1] for r in rows]
    assert kinds.count("signin") > 150 and set(kinds) <= {"signin", "points", "member", "enrollment", "device"}
    signins = {r[0] for r in rows if r[1] == "signin"}
    points = [json.loads(r[4]) for r in rows if r[1] == "points"]
    assert points and all(p["signin"] in signins for p in points)  # each award names its sign-in
    assert all(json.loads(r[4])["site"] == sync.SITE for r in rows)


def test_the_quick_run_measures_both_stores(capsys):
    figures = {f.name: f for f in sync.run(sync.QUICK, worker_counts=(2,))}
    size = sync.QUICK
    for store in ("sqlite", "postgresql"):
        once = figures[f"{store}: every fact once"]
        expected = size.members + 2 * size.backlog + sync.INGEST_TRIALS * size.per_trial + size.kiosks * size.per_kiosk
        assert once.ok and once.value.startswith(f"{expected:,} rows, {expected:,} distinct"), once
        assert figures[f"{store}: storm 5xx"].value == "0"
        assert (
            f"in {-(-size.backlog // sync.BATCH)} pushes"
            in figures[f"{store}: {size.backlog:,}-fact backlog, push_all"].value
        )
        assert figures[f"{store}: ingest / raw driver insert"].target == "≥ 0.5"
        trials = figures[f"{store}: ingest / raw driver insert"].value.split("median of ")[1].split(" (")[0]
        assert len(trials.split(", ")) == sync.INGEST_TRIALS  # each trial's ratio
        assert "of raw" in figures[f"{store}: push path alone (no HTTP, no rules)"].value
        assert (f"{store}: ingest / raw insert, foreign keys unchecked" in figures) == (store == "sqlite")
        assert (
            f"over {size.kiosks * -(-size.per_kiosk // sync.BATCH)} requests"
            in figures[f"{store}: storm p99 request"].value
        )
    # serve --workers 2 on PostgreSQL (the full run also takes 1 and 4): every fact once, pulls without a 5xx.
    for workers in (2,):
        ingest = figures[f"postgresql: ingest, serve --workers {workers}"]
        stored = size.members + size.worker_pushers * size.per_worker_pusher
        assert ingest.ok and f"stored {stored:,}/{stored:,}" in ingest.value, ingest
        assert figures[f"postgresql: idle pulls, serve --workers {workers}"].ok
        assert figures[f"postgresql: idle heads, serve --workers {workers}"].ok
        assert "B a fact in the database" in figures[f"postgresql: store and dump, serve --workers {workers}"].value
    assert "postgresql: ingest, serve --workers 1" not in figures
    out = capsys.readouterr().out
    assert "synchronous=FULL" in out and "fsync=on" in out and "load average" in out


def test_the_raw_insert_checks_foreign_keys_as_the_store_does(tmp_path):
    url = f"sqlite:///{tmp_path / 'raw.db'}"
    kiosk_pk = sync.register(url, ["only"])["only"][2]
    rows = sync.event_rows(sync.outbox_rows(2, "BENCH-001-K01", random.Random(1), members=5), kiosk_pk, 1, True)
    connection = sync.store_like(tmp_path / "raw.db")
    try:
        assert sync.RawInsert(connection, "?", rows[:1]).insert(0) > 0
        unknown_kiosk = [(rows[1][0], kiosk_pk + 1, *rows[1][2:])]
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            sync.RawInsert(connection, "?", unknown_kiosk).insert(0)
    finally:
        connection.close()
