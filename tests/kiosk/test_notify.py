"""kiosk/notify.py against real datagram sockets, as systemd binds them: a path, or a name in the
abstract namespace."""

import os
import socket
import subprocess
import sys

import pytest

from kiosk import notify


@pytest.fixture
def supervisor(tmp_path, monkeypatch):
    """A socket bound where $NOTIFY_SOCKET says, as systemd's; yields a function that receives one
    message."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    s.bind(str(path))
    s.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield lambda: s.recv(4096).decode()
    s.close()


def test_ready_watchdog_and_status_reach_the_socket(supervisor):
    assert notify.ready() and notify.watchdog() and notify.status("主屏已就绪\n第二行")
    assert [supervisor() for _ in range(3)] == ["READY=1", "WATCHDOG=1", "STATUS=主屏已就绪 第二行"]


def test_an_abstract_socket_name_starting_with_at(monkeypatch):
    name = f"yinling-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind("\0" + name)
        s.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert notify.ready()
        assert s.recv(100) == b"READY=1"


def test_without_notify_socket_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert not notify.ready() and not notify.watchdog()
    assert notify.watchdog_interval() is None


def test_a_supervisor_gone_costs_a_warning_once_never_an_exception(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    assert not notify.watchdog() and not notify.watchdog()
    assert [r.message.startswith("could not notify systemd (WATCHDOG)") for r in caplog.records] == [True]


def test_the_watchdog_interval_is_half_of_watchdog_usec_for_this_process(supervisor, monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert notify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert notify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getppid()))  # the unit's main process, xinit, is our parent
    assert notify.watchdog_interval() == 15.0
    stranger = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE)  # not an ancestor
    try:
        monkeypatch.setenv("WATCHDOG_PID", str(stranger.pid))
        assert notify.watchdog_interval() is None
    finally:
        stranger.kill()
        stranger.wait()
    monkeypatch.delenv("WATCHDOG_PID")
    monkeypatch.setenv("WATCHDOG_USEC", "0")
    assert notify.watchdog_interval() is None


def test_a_supervisor_that_does_not_read_never_blocks_the_sender(supervisor, caplog):
    # A datagram socket's queue is short (net.unix.max_dgram_qlen): once full, pings are dropped.
    sent = [notify.watchdog() for _ in range(2000)]
    assert sent[0] and not sent[-1]
    assert supervisor() == "WATCHDOG=1"
