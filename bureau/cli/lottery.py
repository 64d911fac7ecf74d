"""lottery verify --season KEY [--numbers "…"]: a drawn season's draw re-run from the store and
compared with the result filed | lottery verify --applicants FILE.csv --numbers "…" [--capacity
FILE.csv] [--hash H]: the draw re-run from the published inputs alone (the files the console's
draw page offers), its order printed (docs/enrolment.md 验证).  Exit 0 when it matches, 1 when not."""

import argparse
import sys
from pathlib import Path

from bureau.enrolment import lottery, results
from bureau.enrolment.seasons import SeasonError
from bureau.models import Course, Season


class Failed(Exception):
    """One line for stderr: exit status 2, as the other commands' errors."""


def needs_store(args: argparse.Namespace) -> bool:
    """Only --season reads the store: a check from the published files must not make one."""
    return bool(args.season)


def add(commands, db_option: argparse.ArgumentParser) -> None:
    lot = commands.add_parser("lottery", help="the enrolment draw (摇号): verify it").add_subparsers(
        dest="action", required=True
    )
    p = lot.add_parser("verify", parents=[db_option], help="re-run a draw and say whether it matches")
    p.add_argument("--season", metavar="KEY", help="a drawn season of the store")
    p.add_argument("--applicants", metavar="FILE.csv", type=Path, help="the published applicant list")
    p.add_argument("--numbers", help="the numbers drawn in public (default with --season: the published ones)")
    p.add_argument("--capacity", metavar="FILE.csv", type=Path, help="the published places (course,places)")
    p.add_argument("--hash", metavar="SHA256", help="the published applicants hash, to compare")


def run(args: argparse.Namespace) -> int:
    try:
        if bool(args.season) == bool(args.applicants):
            raise Failed("give either --season KEY or --applicants FILE.csv")
        if args.season:
            return _from_store(args.season, args.numbers)
        return _from_files(args.applicants, args.numbers, args.capacity, args.hash)
    except Failed as e:
        print(f"lottery verify: {e}", file=sys.stderr)
        return 2


def _from_store(key: str, numbers: str | None) -> int:
    season = Season.get_or_none(Season.key == key)
    if season is None:
        raise Failed(f"no season {key}")
    try:
        found = results.verify(season, numbers)
    except (SeasonError, lottery.DrawError) as e:
        raise Failed(str(e)) from None
    titles = {c.key: c.title for c in Course.select().where(Course.term == season.term_id)}
    print(f"season\t{season.key}\t{season.title}")
    print(f"applicants_hash\t{found.applicants_hash}\t{'matches' if found.hash_matches else 'DIFFERS'}")
    print(f"numbers\t{lottery.numbers(numbers or season.public_numbers)}")
    print(f"seed\t{found.seed}\t{'matches' if found.seed_matches else 'DIFFERS'}")
    _order(found.placings, titles)
    for line in found.differences:
        print(f"differs\t{line}")
    print("MATCHES the result filed" if found.matches else "DOES NOT MATCH the result filed")
    return 0 if found.matches else 1


def _from_files(applicants: Path, numbers: str | None, capacity: Path | None, published: str | None) -> int:
    if not numbers:
        raise Failed("--numbers is needed with --applicants")
    try:
        entries = lottery.read_applicants(applicants.read_text(encoding="utf-8"))
        places = lottery.read_places(capacity.read_text(encoding="utf-8")) if capacity else {}
        hashed = lottery.applicants_hash(entries)
        seed = lottery.seed(hashed, numbers)
    except (OSError, lottery.DrawError) as e:
        raise Failed(str(e)) from None
    same = published is None or published.strip().lower() == hashed
    print(f"applicants_hash\t{hashed}" + ("" if published is None else f"\t{'matches' if same else 'DIFFERS'}"))
    print(f"numbers\t{lottery.numbers(numbers)}")
    print(f"seed\t{seed}")
    placings = lottery.draw(entries, places, seed)
    _order(placings, {})
    print(f"order\t{lottery.order_hash(placings)}")
    if published is not None:
        print("MATCHES the published hash" if same else "DOES NOT MATCH the published hash")
    return 0 if same else 1


def _order(placings: list[lottery.Placing], titles: dict[str, str]) -> None:
    print("course\ttitle\trank\tmember_no\tgroup\tresult")
    for p in placings:
        result = "won" if p.won else f"waitlisted {p.waitlist_position}"
        print(f"{p.course}\t{titles.get(p.course, '')}\t{p.rank}\t{p.member_no}\t{p.group}\t{result}")
