"""yinling-kiosk setup: the site file of a kiosk box from what the bureau's `kiosk add` printed
(a real bureau CLI on SQLite), found on a USB stick or given, confirmed, checked, 0640."""

import grp
import os
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from kiosk import config
from kiosk.i18n import t
from tests.bureau_files import SITE, SITE_NAME, bureau, bureau_keys
from tools.checkout import run_kiosk


@pytest.fixture(scope="module")
def bureau_files(tmp_path_factory) -> dict[str, Path]:
    """`kiosk add` outputs of a real bureau: with the bureau's keys (--keys), without, and one
    for a bureau at a plain http:// address."""
    folder = tmp_path_factory.mktemp("bureau")
    db = folder / "bureau.db"
    bureau(db, "site", "add", SITE, SITE_NAME)
    keys = bureau_keys(folder)
    url = "https://bureau.example.gov.cn"
    files = {name: folder / f"{name}.toml" for name in ("full", "no_keys", "plain_http")}
    bureau(db, "kiosk", "add", "--site", SITE, "--url", url, "--keys", str(keys), "--out", str(files["full"]))
    bureau(db, "kiosk", "add", "--site", SITE, "--url", url, "--out", str(files["no_keys"]))
    plain = bureau(db, "kiosk", "add", "--site", SITE, "--url", "http://x.example", "--keys", str(keys))
    files["plain_http"].write_text(plain.stdout, encoding="utf-8")
    return files


@pytest.fixture
def box(tmp_path):
    """A box's folders: /media with a stick, /dev with udev's names, /etc/yinling, /var/lib/yinling."""
    paths = {name: tmp_path / name for name in ("media", "dev", "etc", "data")}
    (paths["media"] / "usb").mkdir(parents=True)
    paths["dev"].mkdir()
    paths["site"] = paths["etc"] / "site.toml"
    return paths


def setup(box, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    group = grp.getgrgid(os.getgid()).gr_name  # the tester's: this machine may have no user yinling
    return run_kiosk(
        "--config", box["site"], "--data-dir", box["data"], "setup",
        "--media", box["media"], "--dev", box["dev"], "--group", group, *args,
        stdin=stdin,
    )  # fmt: skip


def test_the_file_on_the_usb_stick_becomes_the_site_file(box, bureau_files):
    (box["media"] / "usb" / "HD-001-K01.toml").write_bytes(bureau_files["full"].read_bytes())
    (box["media"] / "usb" / "notes.toml").write_text('title = "not the bureau\'s"\n', encoding="utf-8")
    (box["dev"] / "yinling-qr").touch()  # udev named a serial QR scanner; the reader is unplugged
    done = setup(box, stdin="y\n")
    assert done.returncode == 0, done.stderr
    # The confirmation a staff member can answer: the site's name and the kiosk's id, in Chinese.
    assert SITE_NAME in done.stdout and "HD-001-K01" in done.stdout and t("setup.ask") in done.stdout
    assert t("setup.written", file=box["site"], name=SITE_NAME, kiosk="HD-001-K01") in done.stdout
    assert stat.S_IMODE(box["site"].stat().st_mode) == 0o640
    written = tomllib.loads(box["site"].read_text(encoding="utf-8"))
    given = tomllib.loads(bureau_files["full"].read_text(encoding="utf-8"))
    assert written["sync"] == given["sync"] and written["security"] == given["security"]
    assert written["site"] == {"code": SITE, "name": SITE_NAME, "demo_data": ""}
    assert written["devices"] == {
        "idcard": {"port": str(box["dev"] / "yinling-idcard")},  # named although unplugged: staff see 未连接
        "qr_serial": {"port": str(box["dev"] / "yinling-qr")},
        "keyboard_wedge": {"accept_typed": False},
    }
    settings = config.load(box["site"], box["data"])  # a real site, as the kiosk itself loads it
    assert settings.kiosk.kiosk_mode is True and settings.staff.member_prefix == given["staff"]["member_prefix"]
    # The kiosk starts on it: an operator's command runs.
    assert run_kiosk("--config", box["site"], "--data-dir", box["data"], "staff", "list").returncode == 0


def test_from_a_file_or_standard_input_without_a_stick(box, bureau_files):
    done = setup(box, "--from", str(bureau_files["full"]), "--yes")
    assert done.returncode == 0, done.stderr
    assert tomllib.loads(box["site"].read_text(encoding="utf-8"))["devices"]["qr_serial"] == {"port": ""}
    box["site"].unlink()
    done = setup(box, "--from", "-", "--yes", stdin=bureau_files["full"].read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    assert box["site"].exists()


def test_nothing_is_written_without_a_yes(box, bureau_files):
    no = setup(box, "--from", str(bureau_files["full"]), stdin="n\n")
    assert no.returncode == 1 and no.stderr.strip() == t("setup.cancelled")
    # No standard input to ask on (the file came through it, or there is none): --yes is needed.
    piped = setup(box, "--from", "-", stdin=bureau_files["full"].read_text(encoding="utf-8"))
    assert piped.returncode == 1 and piped.stderr.strip() == t("setup.need_yes")
    assert not box["site"].exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("garbage", "不是局里发来的设置文件"),
        ("no_keys", t("setup.missing", file="{file}", keys="security.id_hash_key、security.card_key")),
        ("plain_http", "设置有误，没有写入"),
        ("two_on_the_stick", "U 盘上有多个局里发来的设置文件"),
        ("empty_stick", "缺少这些设置"),  # nothing on the stick, nothing on standard input
    ],
)
def test_garbage_is_refused_with_a_clear_message(box, bureau_files, case, message):
    stick = box["media"] / "usb"
    source = stick / "kiosk.toml"
    if case == "garbage":
        source.write_bytes(b"\x89PNG\r\n\x1a\n not a settings file [kiosk\n")
    elif case == "two_on_the_stick":
        source.write_bytes(bureau_files["full"].read_bytes())
        (stick / "older.toml").write_bytes(bureau_files["full"].read_bytes())
    elif case != "empty_stick":
        source.write_bytes(bureau_files[case].read_bytes())
    args = ("--from", str(source)) if case == "garbage" else ()
    done = setup(box, *args, "--yes")
    assert done.returncode == 1 and done.stdout == ""
    assert message.replace("{file}", str(source)) in done.stderr, done.stderr
    assert not box["site"].exists() and list(box["etc"].glob("*")) == []
