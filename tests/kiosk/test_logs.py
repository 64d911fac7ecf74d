"""Logging: a rotating file under data_dir/logs, and no ID number ever reaches it."""

import logging
from pathlib import Path

import pytest

from kiosk import logs
from kiosk.checkin.signin import CheckIn
from kiosk.i18n import t
from tests.kiosk.builders import ID_NOT_REGISTERED, ID_WANG, LESSON_START


def flush():
    for handler in logging.getLogger().handlers:
        handler.flush()


@pytest.fixture
def log_file(settings, kiosk_logging) -> Path:
    path = logs.setup(settings)
    assert path == Path(settings.kiosk.data_dir) / "logs" / "kiosk.log"
    return path


def test_id_number_in_a_message_is_redacted(log_file):
    logging.getLogger("kiosk.test").warning("身份证%s读卡成功, again: %s.", ID_WANG, "44040119580101000x")
    flush()
    text = log_file.read_text(encoding="utf-8")
    assert ID_WANG not in text and ID_WANG[6:14] not in text
    assert "44040119580101000" not in text
    assert "身份证120103************读卡成功" in text
    assert "440401************." in text


def test_id_number_in_a_traceback_is_redacted(log_file):
    try:
        raise ValueError(f"bad card {ID_WANG}")
    except ValueError:
        logging.getLogger("kiosk.test").exception("reading failed")
    flush()
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "bad card 120103" in text
    assert ID_WANG not in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("old card 440308990110151 read", "old card 440308********* read"),  # 15-digit first generation
        ("member DM0001, phone 2960, lesson 2025-03-10 09:00", None),  # left alone
        ("seq 20250310 wall_ms 1741568400000", None),  # 8 and 13 digits
        ("1234567890123456789012", None),  # longer than an ID number
        ("ID440308199901101512:", "ID440308************:"),  # glued to letters
    ],
)
def test_redact(text, expected):
    assert logs.redact(text) == (expected or text)


def test_check_ins_with_id_cards_log_no_number(log_file, world, wang, settings):
    checkin = CheckIn(settings)
    checkin.handle(world.idcard(ID_WANG), LESSON_START)
    checkin.handle(world.idcard(ID_NOT_REGISTERED), LESSON_START)
    checkin.handle(world.idcard(ID_WANG[:17] + "0"), LESSON_START)
    flush()
    text = log_file.read_text(encoding="utf-8")
    assert "check-in DM9001 via idcard: ok" in text
    for number in (ID_WANG, ID_NOT_REGISTERED, ID_WANG[:17]):
        assert number not in text


def test_setup_twice_keeps_one_handler_and_follows_the_level(settings, kiosk_logging):
    settings.logging.level = "WARNING"
    logs.setup(settings)
    logs.setup(settings)
    root = logging.getLogger()
    assert len([h for h in root.handlers if getattr(h, "yinling", False)]) == 1
    assert root.level == logging.WARNING


def test_the_level_holds_after_kivy_resets_the_root_logger(log_file, world, wang, settings):
    logging.getLogger().setLevel(logging.NOTSET)  # what importing Kivy does, after logs.setup() in the app

    CheckIn(settings).handle(world.idcard(ID_WANG), LESSON_START)
    logging.getLogger("kiosk.test").debug("a debug line")
    flush()
    text = log_file.read_text(encoding="utf-8")
    assert "check-in DM9001 via idcard: ok" in text
    assert " DEBUG " not in text and "SELECT" not in text  # peewee logs each statement at DEBUG


def test_log_rotates_and_keeps_the_backups(settings, kiosk_logging):
    settings.logging.max_bytes, settings.logging.backups = 10_000, 2
    path = logs.setup(settings)
    log = logging.getLogger("kiosk.test")
    for n in range(400):
        log.warning("line %d %s", n, "x" * 100)
    flush()
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    assert all(p.stat().st_size <= 10_000 for p in path.parent.iterdir())
    assert "line 399" in path.read_text(encoding="utf-8")


def test_the_log_survives_a_full_disk_and_says_how_many_lines_it_lost(settings, kiosk_logging, capfd):
    folder = Path(settings.kiosk.data_dir) / "logs"
    folder.mkdir(parents=True)
    full = folder / "kiosk.log"
    full.symlink_to("/dev/full")  # every write fails with ENOSPC, as on a full disk
    path = logs.setup(settings)
    log = logging.getLogger("kiosk.test")
    for n in range(3):
        log.warning("line %d", n)
    flush()
    err = capfd.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    assert err.splitlines() == [t("logs.unwritable", file=full, error="No space left on device")]
    full.unlink()  # space again: the next line goes to a file at the same path
    log.warning("line after")
    flush()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "3 log lines were lost: the disk was full or could not be written",
        "line after",
    ]
    assert capfd.readouterr().err == ""


JOURNAL_SCRIPT = """
import logging, sys
from kiosk import config, logs
settings = config.load(None, sys.argv[1])
logs.setup(settings)
logging.getLogger("kiosk.test").warning("身份证%s读卡成功", sys.argv[2])
try:
    raise ValueError("bad frame")
except ValueError:
    logging.getLogger("kiosk.test").exception("reading failed")
"""


def _logged_under(tmp_path, env: dict) -> tuple[str, str]:
    """Log two lines in a process whose stderr is a pipe, with `env` as systemd would set it
    (a JOURNAL_STREAM of "{pipe}" names the pipe's device and inode): (stderr, the log file)."""
    import os
    import subprocess
    import sys

    from tools.checkout import ROOT

    read, write = os.pipe()
    st = os.fstat(write)
    env = {k: v.replace("{pipe}", f"{st.st_dev}:{st.st_ino}") for k, v in env.items()}
    clean = {k: v for k, v in os.environ.items() if k not in ("JOURNAL_STREAM", "INVOCATION_ID")}
    data_dir = tmp_path / "data"
    with os.fdopen(read, encoding="utf-8") as out:
        done = subprocess.run(
            [sys.executable, "-c", JOURNAL_SCRIPT, str(data_dir), ID_WANG],
            cwd=ROOT,
            env={**clean, **env},
            stderr=write,
            timeout=60,
        )
        os.close(write)
        stderr = out.read()
    assert done.returncode == 0, stderr
    return stderr, (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")


def test_under_systemd_the_journal_gets_compact_lines_with_their_priority(tmp_path):
    stderr, file_log = _logged_under(tmp_path, {"JOURNAL_STREAM": "{pipe}", "INVOCATION_ID": "0123abcd"})
    lines = stderr.splitlines()
    assert lines[0] == "<4>WARNING kiosk.test: 身份证120103************读卡成功"  # no time: the journal stamps it
    assert lines[1] == "<3>ERROR kiosk.test: reading failed"
    assert lines[2] == "<3>Traceback (most recent call last):" and lines[-1] == "<3>ValueError: bad frame"
    assert ID_WANG not in stderr
    # The file log is as it always was: a timestamp, and the same lines.
    assert "WARNING kiosk.test: 身份证120103************读卡成功" in file_log and ID_WANG not in file_log
    assert file_log.splitlines()[-1] == "ValueError: bad frame" and file_log[:2] == "20"


def test_a_systemd_service_whose_stderr_is_not_the_journal_gets_plain_lines(tmp_path):
    stderr, _ = _logged_under(tmp_path, {"INVOCATION_ID": "0123abcd", "JOURNAL_STREAM": "8:12345"})
    assert stderr.splitlines()[0] == "WARNING kiosk.test: 身份证120103************读卡成功"


def test_in_a_terminal_nothing_goes_to_stderr(tmp_path):
    stderr, file_log = _logged_under(tmp_path, {})
    assert stderr == "" and "reading failed" in file_log
