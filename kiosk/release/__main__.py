"""yinling-update (= python3 -m kiosk.release): the kiosk box's updater, run as root.

    yinling-update install [BUNDLE] [--force] [--no-compile] [--no-restart]
                                       check, install, switch, restart the kiosk
                                       (no BUNDLE: the newest in updates/incoming/)
    yinling-update boot-check          before each start of the kiosk (ExecStartPre=+): count, or roll back
    yinling-update confirm [--no-restart]   end a trial the kiosk confirmed; roll back an overdue one
    yinling-update rollback [--no-restart]  give up the trial now (done by the boot-check of the restart)
    yinling-update status [--json]     current, previous, the trial and the last outcome

All paths lie under env YINLING_ROOT (default /).  Exit status 0, or 1 with the reason on stderr;
boot-check always exits 0, so that nothing of the updater keeps the kiosk from starting."""

import argparse
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.release import install, state, trial, versions
from kiosk.release.bundle import Refused
from kiosk.release.database import DatabaseError
from kiosk.release.paths import Paths, from_env

log = logging.getLogger("yinling-update")
KIOSK_UNIT = "yinling-kiosk.service"
SYSTEMD = Path("/run/systemd/system")  # there only when systemd runs the box


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yinling-update", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    put = commands.add_parser("install", help="install a release bundle")
    put.add_argument("bundle", type=Path, nargs="?")
    put.add_argument("--force", action="store_true", help="also a version not newer than the current one")
    put.add_argument("--no-compile", action="store_true", help="no bytecode: a quicker install, slower starts")
    commands.add_parser("boot-check", help="before the kiosk starts: count the start or roll back")
    commands.add_parser("confirm", help="end a confirmed trial, roll back an overdue one")
    commands.add_parser("rollback", help="roll the trial back at the kiosk's next start")
    shown = commands.add_parser("status", help="current, previous, trial")
    shown.add_argument("--json", action="store_true")
    for command in (put, commands.choices["confirm"], commands.choices["rollback"]):
        command.add_argument("--no-restart", action="store_true", help="leave the kiosk running as it is")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="yinling-update: %(message)s", stream=sys.stderr)
    paths = from_env()
    try:
        return _run(args, paths)
    except (Refused, DatabaseError, OSError) as e:
        log.error("%s", e)
        return 0 if args.command == "boot-check" else 1
    except Exception:
        if args.command != "boot-check":
            raise
        # Whatever went wrong here must not keep the kiosk from starting (ExecStartPre): say it, go on.
        log.exception("boot-check failed; the kiosk starts on the release current now")
        return 0


def _run(args: argparse.Namespace, paths: Paths) -> int:
    restart = not getattr(args, "no_restart", True)
    if args.command == "install":
        bytecode = not args.no_compile
        if args.bundle:
            version: str | None = install.install(paths, args.bundle, args.force, bytecode)
        else:
            version = _install_incoming(paths, args.force, bytecode)
        if version is None:
            print("no bundle in", paths.incoming)
            return 0
        print(f"installed {version}")
        _restart(restart)
    elif args.command == "boot-check":
        print(trial.boot_check(paths))
    elif args.command == "confirm":
        with state.locked(paths.lock):
            outcome = trial.settle(paths)
            running = state.load(paths.state).get("trial")
            if running and trial.overdue(running) and trial.request_rollback(paths, "not confirmed in time"):
                outcome = f"{running['version']} was not confirmed in time: rolled back at the kiosk's restart"
                _restart(restart)
        print(outcome or "nothing to confirm")
    elif args.command == "rollback":
        with state.locked(paths.lock):
            if not trial.request_rollback(paths, "asked for by an operator"):
                raise Refused("no trial to roll back (a confirmed release is changed by installing another)")
        print("the trial is rolled back at the kiosk's next start")
        _restart(restart)
    else:
        found = status(paths)
        print(json.dumps(found, indent=2) if args.json else _describe(found))
    return 0


def _install_incoming(paths: Paths, force: bool, bytecode: bool) -> str | None:
    """Install the newest bundle in incoming/ (a USB stick's, the bureau's); every bundle there is
    taken out of it, a refused one into updates/refused/, so the .path unit does not try it again."""

    def version_of(path: Path) -> tuple[int, ...]:
        try:
            return versions.parse(path.name.split("_")[1])
        except (IndexError, ValueError):
            return ()

    found = sorted(paths.incoming.glob("*.bundle"), key=version_of, reverse=True)
    installed = None
    for path in found:
        try:
            if installed is None:
                installed = install.install(paths, path, force, bytecode)
                path.unlink()
                continue
            raise Refused(f"{path.name}: {installed} was installed from a newer bundle")
        except Refused as e:
            log.error("%s", e)
            refused = paths.updates / "refused"
            refused.mkdir(mode=0o700, exist_ok=True)
            os.replace(path, refused / path.name)
    if found and installed is None:
        raise Refused(f"no bundle in {paths.incoming} could be installed: they are in {paths.updates / 'refused'}")
    return installed


def status(paths: Paths) -> dict[str, Any]:
    saved = state.load(paths.state)
    trial_state = saved.get("trial")
    return {
        "current": state.pointed(paths.current),
        "previous": state.pointed(paths.previous),
        "trial": trial_state and {k: trial_state[k] for k in ("version", "from", "starts") if k in trial_state},
        "last": saved.get("last"),
        "releases": sorted(p.name for p in paths.releases.iterdir()) if paths.releases.is_dir() else [],
    }


def _describe(found: dict[str, Any]) -> str:
    lines = [f"current:  {found['current'] or '-'}", f"previous: {found['previous'] or '-'}"]
    if found["trial"]:
        t = found["trial"]
        lines.append(f"trial:    {t['version']} (from {t['from']}; started {t['starts']} of {trial.MAX_STARTS} times)")
    if found["last"]:
        last = found["last"]
        lines.append(
            f"last:     {last['event']} {last['version']} at {last['at']}"
            + (f" ({last['reason']})" if "reason" in last else "")
        )
    return "\n".join(lines)


def _restart(wanted: bool) -> None:
    """Restart the kiosk through systemd (not waiting: its ExecStartPre, boot-check, takes our lock)."""
    if wanted and SYSTEMD.is_dir():
        subprocess.run(["systemctl", "restart", "--no-block", KIOSK_UNIT], check=False)


if __name__ == "__main__":
    sys.exit(main())
