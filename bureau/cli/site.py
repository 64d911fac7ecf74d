"""site add CODE NAME | site list: the sites (centres) kiosks belong to."""

import argparse

from bureau import admin


def add(commands, db_option: argparse.ArgumentParser) -> None:
    site = commands.add_parser("site", help="register sites").add_subparsers(dest="action", required=True)
    p = site.add_parser("add", parents=[db_option], help="register a site")
    p.add_argument("code", help="e.g. DEMO-001, as in the kiosk's [site] code")
    p.add_argument("name")
    site.add_parser("list", parents=[db_option], help="the sites")


def run(args: argparse.Namespace) -> int:
    if args.action == "add":
        site = admin.add_site(args.code, args.name)
        print(f"site {site.code} {site.name}")
    else:
        for site in admin.sites():
            print(f"{site.code}\t{site.name}")
    return 0
