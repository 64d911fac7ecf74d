"""The bureau operator's commands: `yinling-bureau` once installed, `python -m bureau` in a checkout.

    [--db URL] COMMAND …       --db is a SQLite path (default: $YINLING_BUREAU_DB, else bureau.db
                               here), sqlite:///path or postgresql://user@host:port/db, before or
                               after the command

One module a command (as kiosk/cli/): `add(commands, db_option)` declares it and `run(args) -> int`
carries it out in an open store.  Errors: one line on stderr and exit status 2.
"""

import argparse
import os
import sys
from pathlib import Path

from peewee import PeeweeException

from bureau import admin
from bureau.cli import (
    activity,
    course,
    demo,
    kiosk,
    lottery,
    migrate,
    region,
    report,
    rules,
    serve,
    settings,
    site,
    streams,
    user,
)
from bureau.schema import open_store
from bureau.store import StoreError, close_store

COMMANDS = {
    "site": site,
    "region": region,
    "kiosk": kiosk,
    "serve": serve,
    "rules": rules,
    "activity": activity,
    "course": course,
    "settings": settings,
    "streams": streams,
    "report": report,
    "user": user,
    "migrate": migrate,
    "demo": demo,
    "lottery": lottery,
}
# An installed service names its store in its environment file (packaging/bureau/env), so the
# operator's commands and the service open the same one without --db.
ENV_DB = "YINLING_BUREAU_DB"


def parse_args(argv: list[str]) -> argparse.Namespace:
    # --db is accepted before the command and after it; SUPPRESS keeps a later default from
    # overwriting one given earlier.
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=f"the store: a SQLite path, sqlite:///path or postgresql://… (default ${ENV_DB}, else bureau.db)",
    )
    parser = argparse.ArgumentParser(
        prog=_prog(), description="银龄签到 bureau: sites, kiosks and the sync service", parents=[db_option]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS.values():
        command.add(commands, db_option)
    args = parser.parse_args(argv)
    if not hasattr(args, "db"):
        args.db = os.environ.get(ENV_DB) or "bureau.db"
    args.prog = parser.prog
    return args


def _prog() -> str:
    name = Path(sys.argv[0]).name
    return "python -m bureau" if name == "__main__.py" else name


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.umask(0o077)  # the store, its backups and reports: keys, password hashes, members' data
    command = COMMANDS[args.command]
    if not getattr(command, "needs_store", lambda _: True)(args):  # lottery verify from files alone
        return command.run(args)
    try:
        open_store(args.db)  # migrates the store once, before any worker starts
        if args.command == "serve":
            close_store()
            return serve.run(args)
        try:
            return command.run(args)
        finally:
            close_store()
    except (admin.AdminError, StoreError, PeeweeException) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"{args.prog}: {message}", file=sys.stderr)
        return 2
