"""python main.py staff add|list|pin|disable: staff accounts from the command line, which is how a
new site gets its first admin."""

import argparse
import getpass
import sys
from datetime import datetime
from types import SimpleNamespace

from kiosk.i18n import t
from kiosk.staff import access
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused


def add(sub) -> None:
    p = sub.add_parser("staff", help="add, list, re-PIN or disable staff accounts")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("add", help="add a staff account (a site's first one must be an admin)")
    a.add_argument("--name", required=True)
    a.add_argument("--role", choices=access.ROLES, default="staff")
    _pin_stdin(a)
    actions.add_parser("list", help="list the active staff accounts")
    n = actions.add_parser("pin", help="set a new PIN (also lifts a lockout)")
    n.add_argument("--name", required=True)
    _pin_stdin(n)
    d = actions.add_parser("disable", help="close a staff account")
    d.add_argument("--name", required=True)
    d.add_argument("--reason", required=True)


def _pin_stdin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pin-stdin", action="store_true", help="read the PIN as one line from standard input instead of asking twice"
    )


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    actor, site, now = Actor.of(None, settings), settings.site.code, datetime.now()
    try:
        if args.action == "list":
            _list(site, now)
        elif args.action == "add":
            staff = access.add_staff(actor, args.name, _read_pin(args), args.role, site, now)
            print(t("staff_cli.added", name=staff.name, role=t(f"access.role.{staff.role}")))
        elif args.action == "pin":
            staff = access.by_name(site, args.name)
            access.set_pin(actor, staff, _read_pin(args), now)
            print(t("staff_cli.pin_set", name=staff.name))
        else:
            staff = access.by_name(site, args.name)
            access.disable(actor, staff, args.reason, now)
            print(t("staff_cli.disabled", name=staff.name))
    except Refused as e:
        print(e.message(), file=sys.stderr)
        return 2
    return 0


def _list(site: str, now: datetime) -> None:
    people = access.list_staff(site)
    if not people:
        print(t("staff_cli.none"))
    for staff in people:
        line = t("staff_cli.row", name=staff.name, role=t(f"access.role.{staff.role}"))
        if staff.locked_until and staff.locked_until > now:
            line += t("staff_cli.locked", until=staff.locked_until.strftime("%Y-%m-%d %H:%M"))
        print(line)


def _read_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    pin = getpass.getpass(t("staff_cli.pin_prompt"))
    if getpass.getpass(t("staff_cli.pin_again")) != pin:
        raise Refused("staff_cli.pin_mismatch")
    return pin
