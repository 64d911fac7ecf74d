"""report attendance --from D --to D [--site CODE] | report active [--days 30] | report care
[--weeks 4] [--site CODE] | report kiosks | report points   (each: [--csv]): the bureau's figures
(bureau/reports.py), as the staff's web page shows them."""

import argparse
import sys
from datetime import date

from bureau import reports
from bureau.cli.common import fail
from bureau.store import utcnow


def add(commands, db_option: argparse.ArgumentParser) -> None:
    report = commands.add_parser("report", help="figures for the bureau's staff").add_subparsers(
        dest="action", required=True
    )
    output = argparse.ArgumentParser(add_help=False, parents=[db_option])
    output.add_argument("--csv", action="store_true", help="CSV (UTF-8 with a BOM, for Excel) instead of text")
    p = report.add_parser("attendance", parents=[output], help="sign-ins per site, day and lesson or activity")
    p.add_argument("--from", dest="start", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--site", metavar="CODE")
    p = report.add_parser("active", parents=[output], help="members who signed in lately, per site")
    p.add_argument("--days", type=int, default=30)
    p = report.add_parser("care", parents=[output], help="members not seen for weeks: whom to call")
    p.add_argument("--weeks", type=int, default=4)
    p.add_argument("--site", metavar="CODE")
    report.add_parser("kiosks", parents=[output], help="each kiosk's sync and device health")
    report.add_parser("points", parents=[output], help="members with a negative balance")


def run(args: argparse.Namespace) -> int:
    try:
        tables = {
            "attendance": lambda: reports.attendance_tables(args.start, args.end, args.site),
            "active": lambda: reports.active_tables(args.days),
            "care": lambda: reports.care_tables(args.weeks, site=args.site),
            "kiosks": lambda: reports.kiosk_tables(utcnow()),
            "points": reports.points_tables,
        }[args.action]()
    except reports.UnknownSite as e:
        return fail(args, f"unknown site {e} ({args.prog} site list)")
    sys.stdout.write(reports.as_csv(tables) if args.csv else reports.as_text(tables))
    return 0
