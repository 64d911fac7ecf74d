"""site add CODE NAME [--prefix P] | site prefix CODE [P] | site place CODE [--region ID] --kind K |
site list: the sites (centres) kiosks belong to, each with the prefix of its member numbers, and
their place in the hierarchy (bureau/cli/region.py)."""

import argparse

from bureau import admin
from bureau.cli import region


def add(commands, db_option: argparse.ArgumentParser) -> None:
    site = commands.add_parser("site", help="register sites").add_subparsers(dest="action", required=True)
    p = site.add_parser("add", parents=[db_option], help="register a site and issue its member-number prefix")
    p.add_argument("code", help="e.g. DEMO-001, as in the kiosk's [site] code")
    p.add_argument("name")
    p.add_argument("--prefix", help="1-4 capital letters (default: the next free two letters)")
    p = site.add_parser("prefix", parents=[db_option], help="issue a prefix to a site made before prefixes")
    p.add_argument("code")
    p.add_argument("prefix", nargs="?", help="1-4 capital letters (default: the next free two letters)")
    region.add_place(site, db_option)
    site.add_parser("list", parents=[db_option], help="the sites")


def run(args: argparse.Namespace) -> int:
    if args.action == "add":
        site = admin.add_site(args.code, args.name, args.prefix)
        print(f"site {site.code} {site.name}: member numbers {site.prefix}…")
    elif args.action == "place":
        return region.place(args)
    elif args.action == "prefix":
        site = admin.set_prefix(args.code, args.prefix)
        print(f"site {site.code}: member numbers {site.prefix}…")
    else:
        for site in admin.sites():
            print(f"{site.code}\t{site.name}\t{site.prefix or '-'}")
    return 0
