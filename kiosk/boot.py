"""Start-up of every kiosk program: the command line, the settings, the log and the database,
ready for an operator's command (kiosk/cli/) or the screens (screens/launch.py)."""

import argparse
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import NoReturn

from kiosk import causes, config, demo, i18n, logs, sites
from kiosk.cli import COMMANDS, NO_SETTINGS, OWN_DATABASE
from kiosk.i18n import t
from kiosk.people import newcomers, search
from kiosk.store import backups, integrity
from kiosk.store.db import open_db

log = logging.getLogger(__name__)
NO_DATABASE = 3  # the exit status when kiosk.db cannot be used (damaged, a full disk): a person must act


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="银龄签到 — sign-in kiosk for senior activity centers")
    parser.add_argument("--config", metavar="FILE", help="site settings that overlay config/default.toml")
    parser.add_argument("--data-dir", metavar="DIR", help="where kiosk.db and logs/ live (overrides kiosk.data_dir)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the kiosk (the default)")
    for command in dict.fromkeys(COMMANDS.values()):  # a module may hold several commands
        command.add(sub)
    return parser.parse_args(argv)


def start(args: argparse.Namespace) -> SimpleNamespace:
    """Settings, logs and the database, ready for any command; exits with one message on bad
    settings, a damaged kiosk.db or a full disk."""
    os.umask(0o077)  # databases, backups, logs and exports hold members' personal data
    command = getattr(args, "command", None)  # callers of their own pass none
    if command in NO_SETTINGS:
        i18n.load()
        return SimpleNamespace()
    try:
        settings = config.load(args.config, args.data_dir)
    except config.ConfigError as e:
        print(e, file=sys.stderr)
        sys.exit(2)
    i18n.load(settings.kiosk.language)
    logs.setup(settings)
    _warn_if_readable(args.config)
    if command in OWN_DATABASE:
        return settings
    if command in (None, "run"):
        backups.claim(settings)  # the kiosk itself: no restore while it runs (it waits for one)
    try:
        open_db(settings.kiosk.data_dir)
        now = datetime.now()
        demo.load_if_empty(settings, now)
        demo.ensure_due(settings, now)
        sites.ensure(settings)
        newcomers.purge(now)  # a kiosk that was off, or read no unknown card, still forgets on time
        search.fill_initials()  # members from before staff mode, or from the bureau
    except integrity.Damaged as e:
        _stop(_damaged(settings, args, e))
    except Exception as e:
        if not causes.is_full(e):
            raise
        _stop(t("store.full_at_start", folder=settings.kiosk.data_dir))
    return settings


def _warn_if_readable(site_file: str | None) -> None:
    """The site file holds the bureau's keys and this kiosk's sync key: for its owner, and on a
    kiosk box the kiosk's own group (root:yinling 0640, `yinling-kiosk setup`), only."""
    if site_file and Path(site_file).stat().st_mode & 0o027:
        log.warning("%s can be read by other users: it holds keys, make it private (chmod 600)", site_file)


def _damaged(settings: SimpleNamespace, args: argparse.Namespace, error: integrity.Damaged) -> str:
    """One message for whoever starts the kiosk: which file, why, and the restore command with
    the newest good backup (or that there is none)."""
    found = backups.newest_good(settings)
    if found is None:
        then = t("store.no_backup", folders="、".join(map(str, backups.folders(settings))))
    else:
        options = [
            f"--{name.replace('_', '-')} {value}" for name in ("config", "data_dir") if (value := getattr(args, name))
        ]
        command = " ".join(["yinling-kiosk", *options, "restore", str(found.path)])
        then = t("store.restore_hint", backup=found.path, taken=f"{found.taken:%Y-%m-%d %H:%M}", command=command)
    return t("store.damaged", file=error.path, reason=error.reason, then=then)


def _stop(message: str) -> NoReturn:
    log.error("%s", message)
    print(message, file=sys.stderr)
    sys.exit(NO_DATABASE)


def run_command(args: argparse.Namespace, settings: SimpleNamespace) -> int | None:
    """Carry out the operator's command `args` names: its exit status, or None for the kiosk itself."""
    command = COMMANDS.get(args.command)
    return command.run(args, settings) if command else None
