"""python main.py import members|courses FILE [--term NAME] [--dry-run] [--overwrite-verified]: a
roster or a course list from Excel or CSV, all or nothing (kiosk.desk.imports).  A roster that
would change names read from ID cards lists them and imports only with --overwrite-verified."""

import argparse
import sys
from datetime import datetime
from types import SimpleNamespace

from kiosk.desk import imports
from kiosk.i18n import t
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.models import Site, Term


def add(sub) -> None:
    p = sub.add_parser("import", help=t("imports.help"))
    what = p.add_subparsers(dest="what", required=True)
    members = what.add_parser("members", help=t("imports.help_members"))
    courses = what.add_parser("courses", help=t("imports.help_courses"))
    courses.add_argument("--term", metavar="NAME", help=t("imports.help_term"))
    members.add_argument("--overwrite-verified", action="store_true", help=t("imports.help_overwrite"))
    for q in (members, courses):
        q.add_argument("file", metavar="FILE")
        q.add_argument("--dry-run", action="store_true", help=t("imports.help_dry_run"))


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    """0 when imported (or a dry run passed), 1 when rows were wrong or names read from ID cards
    would change without --overwrite-verified, and nothing was written; 2 when the file or the
    term could not be used."""
    actor, now = Actor.of(None, settings), datetime.now()
    try:
        if args.what == "members":
            report = imports.import_members(
                actor, args.file, now, settings, dry_run=args.dry_run, overwrite_verified=args.overwrite_verified
            )
        else:
            term = _term(args.term, settings.site.code) if args.term else None
            report = imports.import_courses(
                actor, args.file, now, term_id=term.id if term else None, dry_run=args.dry_run
            )
    except Refused as e:
        print(e.message(), file=sys.stderr)
        return 2
    if report.errors:
        print(t("imports.rejected", file=report.file, count=len(report.errors)), file=sys.stderr)
        for error in report.errors:
            print(error, file=sys.stderr)
        return 1
    if report.needs_confirm and not report.dry_run:
        print(t("imports.renames_held", file=report.file, count=len(report.renames)), file=sys.stderr)
        for line in report.renames:
            print(line, file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(t("imports.warning", text=warning))
    if report.needs_confirm:  # a dry run: what the import will need
        print(t("imports.renames_check", count=len(report.renames)))
        for line in report.renames:
            print(line)
    print(report.summary())
    return 0


def _term(name: str, site: str) -> Term:
    """The term of that name, this site's if two sites have one."""
    found = list(Term.select(Term, Site).join(Site).where(Term.name == name))
    if not found:
        raise Refused("imports.unknown_term", name=name)
    return next((x for x in found if x.site.code == site), found[0])
