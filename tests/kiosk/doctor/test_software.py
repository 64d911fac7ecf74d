"""kiosk/doctor/software.py: the version installed, and what the updater (kiosk/release/) left on
an installed box, under a temporary root ($YINLING_ROOT)."""

import json
from importlib import metadata
from pathlib import Path

import pytest

from kiosk.doctor import software
from kiosk.i18n import t
from kiosk.release import state
from kiosk.release.paths import Paths

RUNNING = metadata.version("yinling-kiosk")


def test_the_version_is_the_installed_distributions():
    found = software.version()
    assert found.state == "ok" and found.detail == t("doctor.version.ok", version=RUNNING)


@pytest.fixture
def box(tmp_path, monkeypatch) -> Paths:
    """Releases 0.0.9 and the running version installed, current the running one."""
    monkeypatch.setenv("YINLING_ROOT", str(tmp_path))
    paths = Paths(tmp_path)
    for version in ("0.0.9", RUNNING):
        (paths.releases / version).mkdir(parents=True)
    paths.updates.mkdir(parents=True)
    state.point(paths.current, paths.releases / RUNNING)
    state.point(paths.previous, paths.releases / "0.0.9")
    return paths


def save(paths: Paths, saved: dict) -> None:
    paths.state.write_text(json.dumps(saved), encoding="utf-8")


def test_no_release_line_where_nothing_is_installed(tmp_path):
    assert software.release(Paths(tmp_path)) == []


def test_current_and_previous(box):
    (found,) = software.release()
    assert found.state == "ok" and found.detail == t("doctor.release.ok", current=RUNNING, previous="0.0.9")


def test_a_release_on_trial(box):
    save(box, {"trial": {"version": RUNNING, "from": "0.0.9", "starts": 1}})
    (found,) = software.release()
    assert found.state == "ok" and found.detail == t("doctor.release.trial", current=RUNNING, previous="0.0.9")


def test_an_update_rolled_back_is_a_warning(box):
    last = {"event": "rolled back", "version": "99.0", "to": RUNNING, "reason": "crashed", "at": "2026-12-06T03:00"}
    save(box, {"last": last})
    (found,) = software.release()
    assert found.state == "warn" and "99.0" in found.detail and found.fix == t("doctor.release.rolled_back_fix")


def test_a_newer_release_installed_but_not_started_yet(box):
    (box.releases / "99.0").mkdir()
    state.point(box.current, box.releases / "99.0")
    (found,) = software.release()
    assert found.state == "warn" and found.fix == t("doctor.release.restart_fix")


def test_a_current_link_to_nowhere(tmp_path):
    paths = Paths(tmp_path)
    paths.opt.mkdir(parents=True)
    Path(paths.current).symlink_to("releases/1.0")
    assert software.release(paths)[0].state == "fail"
