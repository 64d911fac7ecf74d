"""Kiosk keys sealed at rest with the server's secret (bureau/sealing.py), on both stores: a copy
of the store no longer holds a key a kiosk signs with; a store of keys in the clear is sealed in
place when the secret is given; production without the secret, or with the wrong one, does not
start."""

import os
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bureau import admin, sealing
from bureau.models import Kiosk
from bureau.schema import open_store
from bureau.store import close_store, db

from .conftest import SITE, SITE_NAME, bureau_env


def bureau(store_url: str, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`python -m bureau --db URL ARGS` with the secret's variables as `env` gives them (none else)."""
    environment = {k: v for k, v in bureau_env().items() if k not in (sealing.ENV, sealing.ENV_FILE)} | env
    return subprocess.run(
        [sys.executable, "-m", "bureau", "--db", store_url, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


def stored_keys() -> list[tuple]:
    return [tuple(r) for r in db.execute_sql('SELECT "key", "old_key" FROM "kiosk" ORDER BY "id"').fetchall()]


@pytest.fixture
def rotated(store) -> Kiosk:
    """A kiosk whose key was rotated: a key and an old key, both sealed."""
    admin.add_site(SITE, SITE_NAME)
    kiosk = admin.add_kiosk(SITE, "front desk")
    return admin.rotate_key(kiosk.kiosk_id)


def test_the_store_holds_no_kiosk_key_in_the_clear(rotated, store_url, tmp_path):
    ((key, old_key),) = stored_keys()
    assert sealing.is_sealed(key) and sealing.is_sealed(old_key)
    assert rotated.key not in key and rotated.old_key not in old_key
    assert rotated.key != rotated.old_key
    reread = Kiosk.get_by_id(rotated.id)
    assert (reread.key, reread.old_key) == (rotated.key, rotated.old_key)  # what the bureau signs with
    if store_url.startswith("sqlite"):
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = b"".join(p.read_bytes() for p in tmp_path.glob("bureau.db*"))
        assert rotated.key.encode() not in copy and rotated.old_key.encode() not in copy


def test_keys_in_the_clear_are_sealed_in_place_when_the_secret_is_given(rotated, store_url, tmp_path):
    # A store from before sealing: the keys as they were written then.
    update = f'UPDATE "kiosk" SET "key" = {db.param}, "old_key" = {db.param}'
    db.execute_sql(update, (rotated.key, rotated.old_key))
    assert stored_keys() == [(rotated.key, rotated.old_key)]
    close_store()
    open_store(store_url)
    ((key, old_key),) = stored_keys()
    assert sealing.is_sealed(key) and sealing.is_sealed(old_key)
    assert (Kiosk.get().key, Kiosk.get().old_key) == (rotated.key, rotated.old_key)
    listed = bureau(store_url, "kiosk", "list", cwd=tmp_path, **{sealing.ENV: os.environ[sealing.ENV]})
    assert listed.returncode == 0 and rotated.kiosk_id in listed.stdout, listed.stderr


def test_a_sealed_store_does_not_start_without_its_secret_or_with_another(rotated, store_url, tmp_path):
    for env, words in (
        ({}, sealing.ENV),
        ({sealing.ENV: secrets.token_hex(32)}, "not the secret"),
        ({sealing.ENV: "not hex"}, "64 hex digits"),
    ):
        for command in (("kiosk", "list"), ("serve", "--port", "1")):
            done = bureau(store_url, *command, cwd=tmp_path, **env)
            assert done.returncode == 2, (command, env, done.stdout)
            assert words in done.stderr and "Traceback" not in done.stderr
            assert len(done.stderr.strip().splitlines()) == 1


def test_production_does_not_start_without_a_secret(request, tmp_path):
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"bureau_{secrets.token_hex(6)}"
    cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        done = bureau(cluster.url(name), "serve", "--port", "1", cwd=tmp_path)
        assert done.returncode == 2 and "production" in done.stderr and sealing.ENV in done.stderr, done.stderr
    finally:
        cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_demo_store_without_a_secret_keeps_its_keys_in_the_clear(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert bureau(url, "site", "add", SITE, SITE_NAME, cwd=tmp_path).returncode == 0
    added = bureau(url, "kiosk", "add", "--site", SITE, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    with closing(sqlite3.connect(tmp_path / "demo.db")) as raw:
        ((key,),) = raw.execute('SELECT "key" FROM "kiosk"').fetchall()
    assert not sealing.is_sealed(key) and f'key = "{key}"' in added.stdout


@pytest.mark.parametrize("mode, ok", [(0o600, True), (0o400, True), (0o640, False), (0o644, False)])
def test_the_secret_file_must_be_its_owners_alone(rotated, store_url, tmp_path, mode, ok):
    path = tmp_path / "secret"
    path.write_text(os.environ[sealing.ENV] + "\n", encoding="ascii")
    path.chmod(mode)
    done = bureau(store_url, "kiosk", "list", cwd=tmp_path, **{sealing.ENV_FILE: str(path)})
    if ok:
        assert done.returncode == 0 and rotated.kiosk_id in done.stdout, done.stderr
    else:
        assert done.returncode == 2 and "chmod 600" in done.stderr and str(path) in done.stderr
