"""Start-up of every kiosk program: the command line, the settings, the log and the database,
ready for an operator's command (kiosk/cli/) or the screens (screens/launch.py)."""

import argparse
import sys
from datetime import datetime
from types import SimpleNamespace

from kiosk import config, demo, i18n, logs, sites
from kiosk.cli import COMMANDS
from kiosk.people import newcomers, search
from kiosk.store.db import open_db


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="银龄签到 — sign-in kiosk for senior activity centers")
    parser.add_argument("--config", metavar="FILE", help="site settings that overlay config/default.toml")
    parser.add_argument("--data-dir", metavar="DIR", help="where kiosk.db and logs/ live (overrides kiosk.data_dir)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the kiosk (the default)")
    for command in COMMANDS.values():
        command.add(sub)
    return parser.parse_args(argv)


def start(args: argparse.Namespace) -> SimpleNamespace:
    """Settings, logs and the database, ready for any command; exits with a message on bad settings."""
    try:
        settings = config.load(args.config, args.data_dir)
    except config.ConfigError as e:
        print(e, file=sys.stderr)
        sys.exit(2)
    i18n.load(settings.kiosk.language)
    logs.setup(settings)
    open_db(settings.kiosk.data_dir)
    now = datetime.now()
    demo.load_if_empty(settings, now)
    demo.ensure_due(settings, now)
    sites.ensure(settings)
    newcomers.purge(now)  # a kiosk that was off, or read no unknown card, still forgets on time
    search.fill_initials()  # members from before staff mode, or from the bureau
    return settings


def run_command(args: argparse.Namespace, settings: SimpleNamespace) -> int | None:
    """Carry out the operator's command `args` names: its exit status, or None for the kiosk itself."""
    command = COMMANDS.get(args.command)
    return command.run(args, settings) if command else None
