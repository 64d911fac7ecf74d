"""The command line, run as an operator runs it: a separate process, exit code, stderr."""

import os
import re
import subprocess
import sys
import threading

import pytest

from kiosk import config
from kiosk.i18n import t
from tests.kiosk.bad_configs import CASES
from tools.checkout import MAIN, ROOT, run_kiosk


def run(*args) -> subprocess.CompletedProcess:
    return run_kiosk(*args)


def expected_message(path, data_dir=None) -> str:
    with pytest.raises(config.ConfigError) as e:
        config.load(path, data_dir)
    return str(e.value)


def assert_one_message(result, message):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.splitlines() == [message]
    assert result.stdout == ""


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_config_exits_with_one_message_and_no_traceback(tmp_path, case):
    path = tmp_path / "bad.toml"
    path.write_bytes(case.content)
    message = expected_message(path)
    assert str(path) in message and (case.key is None or case.key in message)
    assert_one_message(run("--config", path), message)
    assert not (ROOT / "bad.toml").exists()


def test_missing_config_file(tmp_path):
    path = tmp_path / "site.toml"
    result = run("--config", path, "--data-dir", tmp_path / "data")
    assert_one_message(result, expected_message(path))
    assert str(path) in result.stderr
    assert not (tmp_path / "data").exists()  # stopped before touching anything


def test_empty_data_dir_argument(tmp_path):
    result = run("--data-dir", "", "cards", "--out", tmp_path / "x.pdf")
    assert_one_message(result, expected_message(None, ""))
    assert "kiosk.data_dir" in result.stderr and "--data-dir" in result.stderr


@pytest.fixture
def site(tmp_path):
    return tmp_path / "data"


def test_cards_for_chosen_members(tmp_path, site):
    out = tmp_path / "cards.pdf"
    result = run("--data-dir", site, "cards", "--out", out, "DM0001", "DM0002", "DM0003")
    assert result.returncode == 0, result.stderr
    assert "3" in result.stdout and str(out) in result.stdout
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for name, no in (("谢素珍", "DM0001"), ("梁文革", "DM0002"), ("周继承", "DM0003")):
        assert name in text and f"会员号 {no}" in text
    assert (site / "kiosk.db").is_file() and (site / "logs" / "kiosk.log").is_file()


def test_cards_for_every_member(tmp_path, site):
    out = tmp_path / "all.pdf"
    result = run("--data-dir", site, "cards", "--out", out)
    assert result.returncode == 0, result.stderr
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+20$", info, re.M)  # 200 demo members, ten a page


def test_cards_with_an_unknown_member_number(tmp_path, site):
    out = tmp_path / "cards.pdf"
    result = run("--data-dir", site, "cards", "--out", out, "DM0001", "ZZ9999", "DM0404X")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "ZZ9999" in lines[0] and "DM0404X" in lines[0] and "DM0001" not in lines[0]
    assert not out.exists()


def test_cards_needs_out(tmp_path, site):
    result = run("--data-dir", site, "cards")
    assert result.returncode != 0 and "--out" in result.stderr and "Traceback" not in result.stderr


# A kiosk that stops loading libmtdev, as on a machine without the libmtdev1 package.
NO_MTDEV = "import sys; sys.modules['kivy.lib.mtdev'] = None; from screens.launch import main; sys.exit(main())"


def first_run(data_dir, *python_args: str) -> tuple[str, str]:
    """Start the kiosk (`python ARGS`) as `./dev run` does, wait for its terminal to say it is
    ready, stop it: what the terminal showed and the log."""
    kiosk = subprocess.Popen(
        [sys.executable, *python_args, "--data-dir", str(data_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    watchdog = threading.Timer(120, kiosk.kill)  # a kiosk that never gets ready fails the test
    watchdog.start()
    try:
        ready = kiosk.stdout.readline()  # the first line it prints, once the home screen is drawn
    finally:
        kiosk.terminate()
        # Read through the text streams: communicate() would skip what readline() has buffered.
        out, err = kiosk.stdout.read(), kiosk.stderr.read()
        kiosk.wait()
        watchdog.cancel()
    return ready + out + err, (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("mtdev", [True, False], ids=["libmtdev", "no_libmtdev"])
def test_first_run_tells_the_terminal_what_keys_do_and_where_the_log_is(tmp_path, mtdev):
    program = [str(MAIN)] if mtdev else ["-c", NO_MTDEV]
    terminal, log = first_run(tmp_path / "data", *program)
    lines = terminal.splitlines()
    assert lines[:3] == [
        t("console.ready"),
        t("console.log", file=tmp_path / "data" / "logs" / "kiosk.log"),
        t("console.demo_keys"),  # the demo's simulated reader and scanner
    ]
    assert t("console.wedge") in lines and t("console.quit") in lines
    assert "Traceback" not in terminal
    # The log a technician reads: no ERROR, no traceback, no fontTools chatter.
    assert "Traceback" not in log and " ERROR " not in log and "fontTools" not in log
    assert "home screen ready" in log
    if not mtdev:  # the probe's ERROR and traceback, as one line
        assert re.search(r" INFO kivy: Input: MTDev is not supported .*: not used", log)


def test_dev_run_cards_writes_the_pdf_without_a_screen(tmp_path):
    # ./dev run starts a virtual screen for the kiosk's window; a command that only writes a PDF
    # needs none.  An xvfb-run that fails stands in for the real one.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xvfb-run").write_text("#!/bin/sh\necho xvfb-run was started >&2\nexit 1\n")
    (bin_dir / "xvfb-run").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"} | {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    out = tmp_path / "cards.pdf"
    done = subprocess.run(
        ["bash", ROOT / "dev", "run", "--data-dir", tmp_path / "data", "cards", "--out", out, "DM0019"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "No display found" not in done.stdout + done.stderr
    assert "xvfb-run was started" not in done.stderr
    assert out.is_file()
    log = (tmp_path / "data" / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "fontTools" not in log  # ~100 INFO lines per sheet before
