"""migrate: bring the store to the newest schema version and print it.

Every command migrates the store it opens (bureau.cli.main); this one does nothing else, so a
service can run it before it starts (yinling-bureau.service's ExecStartPre): an upgrade's
migration then runs once, in one process, and a failed one stops the start with its message in
the journal instead of failing in every worker."""

import argparse

from bureau.migrations import current_version
from bureau.store import db


def add(commands, db_option: argparse.ArgumentParser) -> None:
    commands.add_parser("migrate", parents=[db_option], help="bring the store's schema to the newest version")


def run(args: argparse.Namespace) -> int:
    print(f"schema version {current_version(db.obj)}")
    return 0
