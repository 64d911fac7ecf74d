"""The console's accounts (bureau/users.py):

user add NAME [--role admin|viewer|staff] [--site CODE] [--name N] [--password-stdin]
user role NAME ROLE [--site CODE] | user list | user disable NAME | user enable NAME
user unlock NAME | user password NAME [--password-stdin]
"""

import argparse
import getpass
import sys

from bureau import admin, users
from bureau.cli.common import fail, when
from bureau.models import ROLES

CHANGES = {
    "disable": (users.disable, "disabled"),
    "enable": (users.enable, "enabled"),
    "unlock": (users.unlock, "unlocked"),
}


def add(commands, db_option: argparse.ArgumentParser) -> None:
    user = commands.add_parser("user", help="bureau staff who may open the web page").add_subparsers(
        dest="action", required=True
    )
    p = user.add_parser("add", parents=[db_option], help="a new user (asks for the password)")
    p.add_argument("username")
    p.add_argument("--role", choices=ROLES, default="viewer", help="admin, viewer (read only) or a site's staff")
    p.add_argument("--site", help="the staff's site (role staff only)")
    p.add_argument("--name", default="", help="the person's name, as the console shows it")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p = user.add_parser("role", parents=[db_option], help="another role (and site); the user's sessions end")
    p.add_argument("username")
    p.add_argument("role", choices=ROLES)
    p.add_argument("--site", help="the staff's site (role staff only)")
    user.add_parser("list", parents=[db_option], help="the users")
    p = user.add_parser("disable", parents=[db_option], help="the user can no longer sign in; their sessions end")
    p.add_argument("username")
    p = user.add_parser("enable", parents=[db_option], help="a disabled user may sign in again")
    p.add_argument("username")
    p = user.add_parser("unlock", parents=[db_option], help="lift the lockout after wrong passwords")
    p.add_argument("username")
    p = user.add_parser("password", parents=[db_option], help="a new password (asks for it); their sessions end")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "add":
            site = admin.find_site(args.site, users.UserError) if args.site else None
            user = users.add_user(args.username, read_password(args.password_stdin), args.role, site, args.name)
            print(f"user {user.username} added ({user.role}{f' of {site.code}' if site else ''})")
        elif args.action == "role":
            site = admin.find_site(args.site, users.UserError) if args.site else None
            user = users.set_role(args.username, args.role, site)
            print(f"user {user.username} is now {user.role}{f' of {site.code}' if site else ''}")
        elif args.action == "list":
            print("user\trole\tsite\tdisabled\tlast_login\tlocked_until")
            for u in users.users():
                site = u.site.code if u.site else "-"
                disabled = "yes" if u.disabled else "no"
                print(f"{u.username}\t{u.role}\t{site}\t{disabled}\t{when(u.last_login)}\t{when(u.locked_until)}")
        elif args.action == "password":
            print(
                f"password of {users.set_password(args.username, read_password(args.password_stdin)).username} changed"
            )
        else:
            change, done = CHANGES[args.action]
            print(f"user {change(args.username).username} {done}")
    except users.UserError as e:
        return fail(args, str(e))
    return 0


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise users.UserError("no terminal to ask for the password: use --password-stdin")
    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        raise users.UserError("the two passwords differ")
    return password
