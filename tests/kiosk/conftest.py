"""Fixtures for the core tests: real settings, a real SQLite file in tmp_path, small hand-built sites.

Every fixture builds what its test needs from nothing, so no test depends on another's leftovers
or on the order tests run in.
"""

import logging
from pathlib import Path

import pytest

from kiosk import config
from kiosk.checkin.signin import CheckIn
from kiosk.store.db import open_db
from tests.kiosk.builders import ID_WANG, LESSON_START, MEMBER_PREFIX, SITE_KEYS, World


def write_site_file(folder: Path, text: str = "", name: str = "site.toml", prefix: str = MEMBER_PREFIX) -> Path:
    """A site file that turns the demo data off and sets its own keys, member-number `prefix` and
    kiosk mode, plus `text` (whose [kiosk] table, if it has one, gets kiosk mode)."""
    kiosk_mode = "[kiosk]\nkiosk_mode = true\n"
    text = text.replace("[kiosk]\n", kiosk_mode, 1) if "[kiosk]\n" in text else kiosk_mode + text
    path = folder / name
    keys = SITE_KEYS.replace(f'member_prefix = "{MEMBER_PREFIX}"', f'member_prefix = "{prefix}"')
    path.write_text('[site]\ndemo_data = ""\n' + keys + text, encoding="utf-8")
    return path


@pytest.fixture
def site_file(tmp_path) -> Path:
    return write_site_file(tmp_path)


@pytest.fixture
def settings(tmp_path, site_file):
    """The default settings overlaid by a site file without demo data; data in tmp_path/data."""
    return config.load(site_file, tmp_path / "data")


@pytest.fixture
def database(settings):
    """A fresh, migrated kiosk.db in tmp_path, bound to the models."""
    database = open_db(settings.kiosk.data_dir)
    yield database
    database.close()


@pytest.fixture
def world(settings, database) -> World:
    return World(settings)


@pytest.fixture
def wang(world):
    """Member DM9001 王建华 with an ID card, enrolled in 太极拳（一）班 whose lesson is at LESSON_START."""
    member = world.member("DM9001", "王建华", ID_WANG, points_confirmed=10)
    course = world.course("太极拳（一）班")
    lesson = world.lesson(course, LESSON_START)
    world.enroll(member, course)
    return member, lesson


@pytest.fixture
def checkin(settings, database) -> CheckIn:
    return CheckIn(settings)


@pytest.fixture
def kiosk_logging():
    """Undo logs.setup() after the test: remove its handler and restore the root level."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if getattr(h, "yinling", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
