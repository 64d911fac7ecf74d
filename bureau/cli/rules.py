"""rules set CATEGORY --points N [--per attendance|hour] [--daily-cap N] [--once-per-item yes|no]
| rules list: the points rules kiosks pull (bureau/publish.py)
| rules skip EVENT_ID: dead-letter a fact before the rules apply it | rules dead: the dead letters
(bureau/rules/dead.py)."""

import argparse

from bureau import publish
from bureau.cli.common import fail, when
from bureau.reports import printable
from bureau.rules import dead
from contract.points import CATEGORIES, PER


def add(commands, db_option: argparse.ArgumentParser) -> None:
    rules = commands.add_parser("rules", help="points rules; facts the rules could not use").add_subparsers(
        dest="action", required=True
    )
    p = rules.add_parser("set", parents=[db_option], help="publish a category's rule (its next version)")
    p.add_argument("category", help=", ".join(CATEGORIES))
    p.add_argument("--points", type=int, required=True)
    # Left out, --per, --daily-cap and --once-per-item stay as the current version has them.
    p.add_argument("--per", help=" or ".join(PER) + " (new rule: attendance)")
    p.add_argument("--daily-cap", type=int, help="most points a member earns a day; 0 = no cap (new rule: 0)")
    p.add_argument("--once-per-item", choices=("yes", "no"), help="(new rule: yes)")
    rules.add_parser("list", parents=[db_option], help="the rules kiosks have")
    p = rules.add_parser(
        "skip", parents=[db_option], help="dead-letter a fact the rules have not applied: they pass over it"
    )
    p.add_argument("event_id", metavar="EVENT_ID")
    rules.add_parser("dead", parents=[db_option], help="the facts refused at a push or dead-lettered by the rules")


def run(args: argparse.Namespace) -> int:
    if args.action == "set":
        once = None if args.once_per_item is None else args.once_per_item == "yes"
        show([publish.set_rule(args.category, args.points, args.per, args.daily_cap, once)])
    elif args.action == "list":
        show(publish.rules())
    elif args.action == "skip":
        try:
            fact = dead.skip(args.event_id)
        except dead.SkipError as e:
            return fail(args, str(e))
        print(f"{fact.kind} fact {fact.event_id} (seq {fact.seq}): {dead.SKIPPED_REASON}")
    else:
        show_dead(dead.listing())
    return 0


def show(rules: list[dict]) -> None:
    print("category\tpoints\tper\tdaily_cap\tonce_per_item\tversion")
    for r in rules:
        once = "yes" if r["once_per_item"] else "no"
        print(f"{r['category']}\t{r['points']}\t{r['per']}\t{r['daily_cap']}\t{once}\t{r['version']}")


def show_dead(letters: list[dead.Dead]) -> None:
    print("event_id\tkiosk\tkind\tcode\treason\tat")
    for d in letters:
        cells = (d.event_id, d.kiosk, d.kind, d.code, d.reason, when(d.at))
        print("\t".join(printable(c) for c in cells))
