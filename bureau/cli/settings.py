"""settings set [--site CODE | --kiosk ID] key=value … | settings list: kiosk settings the bureau
sets for every kiosk, one site's or one kiosk's (bureau/publish.py)."""

import argparse

from bureau import publish, streams


def add(commands, db_option: argparse.ArgumentParser) -> None:
    settings = commands.add_parser("settings", help="kiosk settings set by the bureau").add_subparsers(
        dest="action", required=True
    )
    p = settings.add_parser("set", parents=[db_option], help="for every kiosk, one site's or one kiosk's")
    p.add_argument("--site", metavar="CODE")
    p.add_argument("--kiosk", metavar="ID")
    p.add_argument("values", nargs="+", metavar="key=value", help=", ".join(publish.SETTINGS))
    settings.add_parser("list", parents=[db_option], help="the settings at each level")


def run(args: argparse.Namespace) -> int:
    if args.action == "set":
        entity, values = publish.set_settings(args.values, args.site, args.kiosk)
        print(f"{entity}\t{streams.canonical(values)}")
    else:
        for entity, values in publish.settings():
            print(f"{entity}\t{streams.canonical(values)}")
    return 0
