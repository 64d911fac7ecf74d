"""`python -m bureau serve` for the tests, started in a tenth of the time.

Spawning the server costs about a second, nearly all of it imports (FastAPI, uvicorn, the console),
and the bureau's tests start hundreds of servers.  So a launcher process imports the bureau and
uvicorn once, and forks a child for each server a test asks for.  The child runs the same command
line (bureau.cli.main) in its own folder, environment and log file, and serves real HTTP on
loopback; only the imports are shared.  The launcher reaps its children and writes each one's exit
status beside its log, for the test's handle (`Child`, what the tests use of subprocess.Popen).
The spawned program itself is still started by the tests that are about it (tests/test_package.py,
tests/packaging/, the fault injectors).

    python -m tests.bureau.launcher     (reads a JSON request a line, answers the child's pid)
"""

import importlib
import json
import os
import select
import signal
import subprocess
import sys
import traceback
from pathlib import Path

from tools.checkout import ROOT

# Everything `serve` imports before it answers, uvicorn's parts chosen at run time included.
PRELOAD = (
    "bureau.cli",
    "bureau.app",
    "uvicorn.main",
    "uvicorn.loops.auto",
    "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.lifespan.on",
    "uvicorn.middleware.proxy_headers",
)


class Child:
    """A forked server: its pid, and as much of subprocess.Popen as the tests use."""

    def __init__(self, pid: int, status: Path):
        self.pid, self.status = pid, status
        self.returncode: int | None = None
        self._exited = os.pidfd_open(pid)  # readable once the process has exited

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._exited], [], [], 0)[0]:
            self.wait()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._exited], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"bureau (pid {self.pid})", timeout or 0)
            self.returncode = self._reaped()
            os.close(self._exited)
        return self.returncode

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if self.returncode is None:
            signal.pidfd_send_signal(self._exited, number)

    def _reaped(self) -> int:
        # The launcher writes the status as it reaps the child, a moment after the exit.
        for _ in range(1000):
            if self.status.exists():
                return int(self.status.read_text())
            select.select([], [], [], 0.005)
        raise RuntimeError(f"the launcher never reaped pid {self.pid}")


class Launcher:
    """The launcher process of this test session (one per xdist worker)."""

    def __init__(self, env: dict):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bureau.launcher"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
            text=True,
        )
        ready = self.process.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"the launcher did not start (it said {ready!r})")

    def start(self, argv: list[str], cwd: Path, env: dict, log: Path) -> Child:
        """`python -m bureau argv…` forked, in `cwd` with `env`, its output appended to `log`."""
        status = log.with_name(log.name + ".exit")
        request = {"argv": argv, "cwd": str(cwd), "env": env, "log": str(log), "status": str(status)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return Child(int(self.process.stdout.readline()), status)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(30)


def main() -> int:
    for name in PRELOAD:
        importlib.import_module(name)
    statuses: dict[int, str] = {}

    def reap(*_args) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            path = statuses.pop(pid, None)
            if path is None:
                continue
            Path(path + ".new").write_text(str(os.waitstatus_to_exitcode(status)))
            os.replace(path + ".new", path)

    signal.signal(signal.SIGCHLD, reap)
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])  # its status path is known first
        pid = os.fork()
        if pid == 0:
            _child(request)
        statuses[pid] = request["status"]
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
        print(pid, flush=True)
    return 0


def _child(request: dict) -> None:
    """Become `python -m bureau argv…` and exit with its status; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [str(ROOT / "bureau" / "__main__.py"), *request["argv"]]
        from bureau.cli import main as bureau_main

        code = bureau_main(request["argv"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
