"""What install refuses before it builds anything, and the bundles dropped into incoming/ (the
yinling-update.path unit's `yinling-update install`)."""

import pytest

from kiosk.release import __main__ as updater
from kiosk.release import install, state
from kiosk.release.bundle import Refused
from kiosk.release.paths import Paths
from tests.kiosk.release.conftest import make


@pytest.fixture
def paths(tmp_path, trusted) -> Paths:
    """A box whose current release is 0.2.0 (a folder made by hand)."""
    found = Paths(tmp_path)
    found.data.mkdir(parents=True)
    install.prepare(found)
    (found.releases / "0.2.0").mkdir()
    state.point(found.current, found.releases / "0.2.0")
    return found


@pytest.mark.parametrize(
    ("version", "reason"),
    [("0.1.9", "0.1.9 is not newer than the current 0.2.0"), ("0.2", "0.2 is the current release already")],
)
def test_a_version_not_newer_is_refused_and_nothing_is_left(paths, keys, tmp_path, version, reason):
    bundle = make(tmp_path, keys["ours"][0], version)
    with pytest.raises(Refused, match=reason.replace(".", r"\.")):
        install.install(paths, bundle)
    assert sorted(p.name for p in paths.releases.iterdir()) == ["0.2.0"]  # no staging left over


def test_a_bundle_for_another_arch_is_refused(paths, keys, tmp_path):
    with pytest.raises(Refused, match="built for arm64"):
        install.install(paths, make(tmp_path, keys["ours"][0], "0.3.0", arch="arm64"))


def test_a_refused_bundle_in_incoming_is_moved_aside_so_it_is_not_tried_again(paths, keys, tmp_path, monkeypatch):
    make(tmp_path, keys["theirs"][0], "0.3.0").rename(paths.incoming / "yinling-kiosk_0.3.0_amd64.bundle")
    monkeypatch.setenv("YINLING_ROOT", str(paths.root))
    assert updater.main(["install", "--no-restart"]) == 1
    assert list(paths.incoming.iterdir()) == []
    assert [p.name for p in (paths.updates / "refused").iterdir()] == ["yinling-kiosk_0.3.0_amd64.bundle"]


def test_an_empty_incoming_folder_is_nothing_to_do(paths, monkeypatch, capsys):
    monkeypatch.setenv("YINLING_ROOT", str(paths.root))
    assert updater.main(["install", "--no-restart"]) == 0
    assert "no bundle" in capsys.readouterr().out


def test_status_says_current_and_previous(paths, monkeypatch, capsys):
    monkeypatch.setenv("YINLING_ROOT", str(paths.root))
    assert updater.main(["status"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["current:  0.2.0", "previous: -"]


def test_a_boot_check_that_fails_never_keeps_the_kiosk_from_starting(paths, monkeypatch, caplog):
    monkeypatch.setenv("YINLING_ROOT", str(paths.root))
    paths.state.write_text('{"trial": {"version": "0.3.0"}}', encoding="utf-8")  # not as the updater writes it
    assert updater.main(["boot-check"]) == 0
    assert "boot-check failed" in caplog.text
