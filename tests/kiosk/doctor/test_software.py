"""kiosk/doctor/software.py: the version installed, and the release symlinks of an installed box
(/opt/yinling under a temporary root)."""

from importlib import metadata

from kiosk.doctor import software
from kiosk.i18n import t


def test_the_version_is_the_installed_distributions():
    found = software.version()
    assert found.state == "ok" and found.detail == t("doctor.version.ok", version=metadata.version("yinling-kiosk"))


def install(root, *versions: str) -> None:
    for version in versions:
        (root / "releases" / version).mkdir(parents=True)


def test_no_release_line_where_nothing_is_installed(tmp_path):
    assert software.release(tmp_path / "opt" / "yinling") == []


def test_current_and_previous(tmp_path, monkeypatch):
    monkeypatch.setenv("YINLING_ROOT", str(tmp_path))
    root = tmp_path / "opt" / "yinling"
    running = metadata.version("yinling-kiosk")
    install(root, "0.0.9", running)
    (root / "current").symlink_to(f"releases/{running}")
    (root / "previous").symlink_to("releases/0.0.9")
    (found,) = software.release()
    assert found.state == "ok" and found.detail == t("doctor.release.ok", current=running, previous="0.0.9")


def test_a_newer_release_installed_but_not_started_yet(tmp_path):
    root = tmp_path / "opt" / "yinling"
    install(root, "99.0")
    (root / "current").symlink_to("releases/99.0")
    (found,) = software.release(root)
    assert found.state == "warn" and found.fix == t("doctor.release.restart_fix")


def test_a_current_link_to_nowhere(tmp_path):
    root = tmp_path / "opt" / "yinling"
    root.mkdir(parents=True)
    (root / "current").symlink_to("releases/1.0")
    assert software.release(root)[0].state == "fail"
