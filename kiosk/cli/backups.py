"""python main.py backup | restore FILE | check: kiosk.db's backups by hand (docs/design.md §5.1).

    backup         a checked copy of kiosk.db now, into backup.folder (and backup.second_folder)
    restore FILE   put the backup FILE in place of kiosk.db; stop the kiosk first
    check          integrity_check of kiosk.db, and the backups there are

restore and check never open kiosk.db for the kiosk (it may be the damaged one: kiosk.boot).
Exit codes: 0 done (check: kiosk.db is sound), 1 it did not happen or kiosk.db is damaged.
"""

import argparse
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from kiosk.i18n import t
from kiosk.store import backups, integrity

NAMES = ("backup", "restore", "check")
OWN_DATABASE = {"restore", "check"}  # kiosk.boot leaves kiosk.db closed for these


def add(sub) -> None:
    sub.add_parser("backup", help="a checked copy of kiosk.db now, into the backup folders")
    p = sub.add_parser("restore", help="put a backup in place of kiosk.db (stop the kiosk first)")
    p.add_argument("file", metavar="FILE", type=Path, help="a backup, e.g. data/backups/kiosk-20270301-033000.db")
    sub.add_parser("check", help="integrity_check of kiosk.db, and the backups there are")


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    return {"backup": _backup, "restore": _restore, "check": _check}[args.command](args, settings)


def _backup(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    try:
        made = backups.make(settings, datetime.now())
    except backups.BackupError as e:
        print(t("backup.failed", error=e), file=sys.stderr)
        return 1
    for path in made:
        print(t("backup.made", path=path))
    wanted = len(backups.folders(settings))
    if len(made) < wanted:
        print(t("backup.second_missed", folder=settings.backup.second_folder), file=sys.stderr)
        return 1
    return 0


def _restore(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    try:
        aside = backups.restore(settings, args.file, datetime.now())
    except backups.BackupError as e:
        print(t("backup.restore_failed", error=e), file=sys.stderr)
        return 1
    print(t("backup.restored", file=args.file, db=backups.database_path(settings)))
    if aside:
        print(t("backup.aside", folder=aside))
    print(t("backup.restored_sync"))
    return 0


def _check(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    path = backups.database_path(settings)
    problem = integrity.problem(path, "integrity_check") if path.exists() else t("backup.no_db")
    print(t("backup.db_damaged", file=path, reason=problem) if problem else t("backup.db_ok", file=path))
    for folder in backups.folders(settings):
        found = backups.listed(folder)
        print(t("backup.folder", folder=folder, count=len(found)))
        for backup in found:
            bad = integrity.problem(backup.path)
            print(t("backup.row", path=backup.path.name, taken=f"{backup.taken:%Y-%m-%d %H:%M}", state=bad or "ok"))
    return 1 if problem else 0
