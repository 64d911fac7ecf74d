"""银龄签到 Yinling Kiosk.

    python main.py [--config FILE] [--data-dir DIR]                 start the kiosk
    python main.py [--config FILE] COMMAND …                        an operator's command
                                                                    (kiosk/cli/, `--help` lists them)
"""
import argparse
import logging
import sys
from datetime import datetime

from kiosk import config, demo, i18n, logs, sites
from kiosk.people import search
from kiosk.cli import COMMANDS
from kiosk.store.db import open_db

log = logging.getLogger("kiosk")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="银龄签到 — sign-in kiosk for senior activity centers")
    parser.add_argument("--config", metavar="FILE", help="site settings that overlay config/default.toml")
    parser.add_argument("--data-dir", metavar="DIR", help="where kiosk.store.db and logs/ live (overrides kiosk.data_dir)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the kiosk (the default)")
    for command in COMMANDS.values():
        command.add(sub)
    return parser.parse_args(argv)


def start(args: argparse.Namespace):
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
    search.fill_initials()       # members from before staff mode, or from the bureau
    return settings


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = start(args)
    if args.command in COMMANDS:
        return COMMANDS[args.command].run(args, settings)
    from screens.app import run
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
