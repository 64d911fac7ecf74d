"""demo [--site CODE …] [--as-of YYYY-MM-DD] [--seed N]: a year of care visits, branches and
volunteer needs on each site (default: every site), to look at in the console (bureau/demo.py).
A site with no members gets 60 fictional ones; a site that has demo data already is refused."""

import argparse
from datetime import date

from bureau import demo
from bureau.cli.common import fail


def add(commands, db_option: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "demo", parents=[db_option], help="a year of demo care visits, branches and volunteer needs on sites"
    )
    p.add_argument("--site", action="append", metavar="CODE", help="a site to fill (repeat it; default: every site)")
    p.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the year's last day (default today)",
    )
    p.add_argument("--seed", type=int, default=1, help="the same seed makes the same data (default 1)")


def run(args: argparse.Namespace) -> int:
    try:
        made = demo.run(args.site, args.as_of or date.today(), args.seed)
    except demo.DemoError as e:
        return fail(args, str(e))
    for summary in made:
        print("\n".join(summary.lines()))
    return 0
