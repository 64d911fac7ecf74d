"""The panel's power at night (devices/display.py): the command it runs, once a state, and a
failure logged once.  Xvfb has no DPMS extension (`xset q`: "Server does not have the DPMS
Extension"), so the real xset is run against it and its refusal is what is checked; a command of
the test's own records what a panel with DPMS would be told."""

import logging
import stat
import subprocess

import pytest

from devices.display import Panel


@pytest.fixture
def recorder(tmp_path):
    """A panel command that appends each state it is given to a file."""
    script = tmp_path / "panel"
    script.write_text(f'#!/bin/sh\necho "$1" >> {tmp_path / "told"}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, tmp_path / "told"


def told(path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def test_off_and_on_run_the_command_once_a_change(recorder, caplog):
    script, record = recorder
    panel = Panel(f"{script} ")
    panel.off()
    panel.off()  # the night screen is shown again every check: the panel is told once
    panel.on()
    panel.on()
    panel.off()
    assert told(record) == ["off", "on", "off"]
    assert panel.state == "off"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_no_command_is_a_box_without_dpms(recorder):
    panel = Panel("")
    panel.off()
    panel.on()
    assert panel.state is None


def test_a_failing_command_is_logged_once(tmp_path, caplog):
    panel = Panel(f"{tmp_path / 'no-such-program'} force")
    with caplog.at_level(logging.WARNING):
        panel.off()
        panel.on()
        panel.off()
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "could not turn the panel off" in warning.getMessage() and "no-such-program" in warning.getMessage()


def test_xset_on_xvfb_runs_and_its_missing_dpms_is_logged_once(caplog):
    # The default command against the test's X server (Xvfb): it runs, and Xvfb, having no DPMS,
    # refuses on stderr while xset exits 0, which the panel must still see as a failure.
    query = subprocess.run(["xset", "q"], capture_output=True, text=True, check=True).stdout
    assert "Server does not have the DPMS Extension" in query
    panel = Panel("xset dpms force")
    with caplog.at_level(logging.WARNING):
        panel.off()
        panel.on()
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "does not have extension" in warning.getMessage()
