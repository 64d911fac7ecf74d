"""A kiosk's backups and its data disk as the bureau sees them, against a real bureau on loopback
(one store is enough: the kiosk's side is what is tested).  A kiosk.db put back with the kiosk's
own `restore` command syncs without losing or doubling a fact (the epoch logic of
docs/sync-protocol.md §5.7), and a kiosk low on space shows so on the kiosk-health page."""

from datetime import datetime
from pathlib import Path

import httpx
import pytest

from bureau import rules
from bureau.models import Event
from kiosk.i18n import t
from kiosk.store.db import db as kiosk_db
from kiosk.store.db import open_db
from kiosk.sync import state
from kiosk.sync.push import backlog
from kiosk.upkeep import Upkeep
from tools.checkout import run_kiosk

from .test_kiosk_sync import at_bureau, sync, write_facts
from .test_web import PASSWORD, USER, add_user


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only (this replaces the two-store fixture of conftest.py)."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def kiosk_command(tmp_path: Path, *args) -> list[str]:
    """`python main.py ARGS` on the kiosk of the `settings` fixture: its stdout lines."""
    done = run_kiosk("--config", tmp_path / "kiosk.toml", "--data-dir", tmp_path / "kiosk-data", *args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("waiting", [0, 20], ids=["all sent", "some waiting"])
def test_a_kiosk_restored_by_its_restore_command_loses_nothing_and_doubles_nothing(settings, tmp_path, waiting):
    first = write_facts(100)
    sync(settings)
    queued = write_facts(waiting, start=100)  # not yet sent when the copy is taken
    (made,) = kiosk_command(tmp_path, "backup")
    copy = Path(made.split("：", 1)[1])
    second = write_facts(50 - waiting, start=100 + waiting)
    sync(settings)  # the bureau holds seqs 1-150
    kiosk_db.close()  # the kiosk is stopped for the restore
    kiosk_command(tmp_path, "restore", copy)
    open_db(settings.kiosk.data_dir)
    assert backlog() == waiting  # as the copy was: its own facts not yet acknowledged
    third = write_facts(30, start=150)  # seqs the bureau holds for other facts
    sync(settings)
    assert at_bureau() == set(first + queued + second + third) and Event.select().count() == 180
    assert state.get_int("epoch", 1) == 2 and backlog() == 0


def test_the_health_page_shows_a_kiosk_low_on_space(settings, server, store_url, tmp_path):
    settings.storage.low_free_mb = 10**9  # more than this disk has: as a disk nearly full
    Upkeep(settings).check_space(datetime.now())
    sync(settings)
    rules.catch_up()
    made = add_user(store_url, USER, PASSWORD, tmp_path)
    assert made.returncode == 0, made.stderr
    with httpx.Client(base_url=server.url) as http:
        form = {"username": USER, "password": PASSWORD}
        assert http.post("/web/login", data=form, headers={"Origin": server.url}).status_code == 303
        page = http.get("/web/kiosks").text
        overview = http.get("/web/").text
    row = page[page.index('data-device="storage"') :]
    row = row[: row.index("</div>")]
    assert "存储空间" in row and "空间不足" in row and "提醒线 1000000000 MB" in row
    assert t("storage.free", free="", low="").split(" ")[0] in row
    assert settings.kiosk.id in overview  # a kiosk that needs attention is listed there
