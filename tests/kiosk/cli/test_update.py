"""python main.py update FILE: a bundle from a USB stick handed to the box's updater (copied whole
into <data_dir>/updates/incoming/), as an operator runs it."""

from tools.checkout import run_kiosk

from ..conftest import write_site_file


def test_a_bundle_is_copied_whole_into_the_updaters_incoming_folder(tmp_path):
    data, stick = tmp_path / "data", tmp_path / "usb"
    (data / "updates/incoming").mkdir(parents=True)
    stick.mkdir()
    (stick / "yinling-kiosk_0.2.0_amd64.bundle").write_bytes(b"bundle bytes" * 1000)
    done = run_kiosk("--config", write_site_file(tmp_path), "--data-dir", data, "update",
                     stick / "yinling-kiosk_0.2.0_amd64.bundle")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "已交给更新程序" in done.stdout
    assert [p.name for p in (data / "updates/incoming").iterdir()] == ["yinling-kiosk_0.2.0_amd64.bundle"]
    assert (data / "updates/incoming/yinling-kiosk_0.2.0_amd64.bundle").read_bytes() == b"bundle bytes" * 1000


def test_a_kiosk_without_an_updater_or_a_file_that_is_no_bundle_is_told_so(tmp_path):
    data, site = tmp_path / "data", write_site_file(tmp_path)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    done = run_kiosk("--config", site, "--data-dir", data, "update", tmp_path / "notes.txt")
    assert done.returncode == 1 and "没有安装更新程序" in done.stderr
    (data / "updates/incoming").mkdir(parents=True)
    done = run_kiosk("--config", site, "--data-dir", data, "update", tmp_path / "notes.txt")
    assert done.returncode == 1 and "不是签到机的更新文件" in done.stderr
    assert list((data / "updates/incoming").iterdir()) == []
