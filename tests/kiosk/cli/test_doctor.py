"""`python main.py doctor` as a technician runs it: a separate process, its lines and exit code.
Everything in order on a real site (reader and scanner simulated on ptys, read by the real
drivers; a bureau over TLS with a private CA; a backup; the clock's flag file) exits 0; then
each thing broken in turn."""

import json
from datetime import datetime, timedelta

import pytest
import trustme

from devices.idcard import IdCardReader
from devices.sim.idcard import SamSim
from devices.sim.qr import QrSim
from kiosk.i18n import t
from tests.kiosk.conftest import write_site_file
from tests.kiosk.doctor.bureaus import Bureaus
from tools.checkout import run_kiosk

KEY = "ab" * 32


def site_file(folder, idcard: str, qr: str, more: str):
    """A real site's file (tests/kiosk/conftest.py) with these ports, `more`, and mode 0600."""
    path = write_site_file(folder, more)
    text = path.read_text(encoding="utf-8")
    text = text.replace('[devices.idcard]\nport = ""', f'[devices.idcard]\nport = "{idcard}"')
    text = text.replace('[devices.qr_serial]\nport = ""', f'[devices.qr_serial]\nport = "{qr}"')
    path.write_text(text.replace("accept_typed = false\n", "accept_typed = false\nenabled = false\n"), encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """A kiosk box where everything is in order: (site file, data dir, the reader simulator)."""
    folder = tmp_path_factory.mktemp("box")
    reader, scanner = SamSim(str(folder / "usb-Reader-if00")), QrSim(str(folder / "usb-Scanner-if00"))
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    (folder / "synchronized").touch()
    with Bureaus() as bureaus:
        url = bureaus.start(ca.issue_cert("127.0.0.1", not_after=datetime.now() + timedelta(days=200)))
        site = site_file(
            folder,
            reader.path,
            scanner.path,
            f'[clock]\nsynced_flag = "{folder / "synchronized"}"\n'
            f'[sync]\nurl = "{url}"\nkey = "{KEY}"\nca_file = "{folder / "ca.pem"}"\n',
        )
        data = folder / "data"
        made = run_kiosk("--config", site, "--data-dir", data, "backup")  # kiosk.db, and its backup
        assert made.returncode == 0, made.stderr
        yield site, data, reader
    reader.close()
    scanner.close()


def doctor(site, data, *more):
    return run_kiosk("--config", site, "--data-dir", data, "doctor", *more)


def test_everything_in_order_exits_0_with_a_tick_on_every_line(box):
    site, data, _ = box
    done = doctor(site, data)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    titles = [
        "设置文件",
        "屏幕显示",
        "身份证读卡器",
        "扫码器",
        "回执打印机",
        "数据库",
        "数据库备份",
        "存储空间",
        "时钟",
    ]
    titles += ["局里服务器", "服务器证书", "软件版本"]
    assert [line.split("　")[0] for line in lines] == [f"✓ {title}" for title in titles]
    assert "\033[" not in done.stdout  # no colours when the output is not a terminal
    assert f"端口 {site.parent / 'usb-Reader-if00'}" in lines[2]


def test_json_says_the_same(box):
    site, data, _ = box
    done = doctor(site, data, "--json")
    rows = json.loads(done.stdout)
    assert done.returncode == 0 and {row["state"] for row in rows} == {"ok"}
    assert rows[0] == {
        "check": "settings",
        "state": "ok",
        "title": "设置文件",
        "detail": rows[0]["detail"],
        "fix": "",
    }


def test_the_reader_held_by_the_running_kiosk_is_in_use_and_not_taken(box):
    site, data, reader = box
    kiosk = IdCardReader("idcard", reader.path)
    kiosk.open()
    try:
        rows = json.loads(doctor(site, data, "--json").stdout)
    finally:
        kiosk.close()
    (idcard,) = [row for row in rows if row["check"] == "idcard"]
    assert (idcard["state"], idcard["detail"]) == ("ok", t("doctor.device.in_use", port=reader.path))


def test_a_broken_site_file_fails_first_and_the_rest_is_not_checked(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("[kiosk\n", encoding="utf-8")
    done = doctor(site, tmp_path / "data")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    first, fix = done.stdout.splitlines()[:2]
    assert first.startswith("✗ 设置文件　配置错误")
    assert fix == "    " + t("doctor.fix", fix=t("doctor.settings.broken_fix"))
    assert f"! 身份证读卡器　{t('doctor.not_checked')}" in done.stdout
    assert not (tmp_path / "data").exists()  # it only looked: no log, no database made


def test_things_broken_exit_1_each_with_what_to_do(box, tmp_path):
    site, data, _ = box
    broken = site_file(
        tmp_path,
        str(tmp_path / "usb-Reader-gone"),
        "",
        f'[clock]\nsynced_flag = "{tmp_path / "none"}"\n'
        f'[sync]\nurl = "https://127.0.0.1:9"\nkey = "{KEY}"\n[storage]\nlow_free_mb = 1000000\n',
    )
    done = doctor(broken, data, "--json")
    rows = {row["check"]: row for row in json.loads(done.stdout)}
    assert done.returncode == 1
    for check, state in [("idcard", "fail"), ("clock", "warn"), ("bureau", "fail"), ("space", "fail")]:
        assert rows[check]["state"] == state and rows[check]["fix"], rows[check]
    assert rows["database"]["state"] == rows["backup"]["state"] == "ok"


def test_on_a_terminal_the_marks_are_coloured(box):
    """stdout a real pty, as a technician's terminal: green ticks, red crosses, yellow warnings."""
    import os
    import subprocess
    import sys

    from tools.checkout import MAIN, ROOT

    site, data, _ = box
    controller, terminal = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, str(MAIN), "--config", str(site), "--data-dir", str(data), "doctor"],
            cwd=ROOT,
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        os.close(terminal)
        said = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the terminal's other end is closed and everything was read
                break
            if not chunk:
                break
            said += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0
    assert said.decode().splitlines()[0].startswith("\033[32m✓\033[0m 设置文件")
