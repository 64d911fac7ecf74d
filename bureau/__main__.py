"""python -m bureau [--db URL] COMMAND …   the bureau operator's commands.

    site add CODE NAME | site list
    kiosk add --site CODE [--name N] [--url URL]    prints the kiosk's [kiosk] and [sync] settings
    kiosk list | kiosk rotate ID [--grace-hours 72] [--url URL] | kiosk revoke ID
    serve [--host 127.0.0.1] [--port 8800] [--workers 1]

--db is a SQLite path (default bureau.db here), sqlite:///path or postgresql://user@host:port/db,
before or after the command.  Errors: one line on stderr and exit status 2.
"""
import argparse
import os
import sys
from datetime import timedelta

from peewee import PeeweeException

from bureau import admin
from bureau.store import StoreError, close_store, open_store

PROG = "python -m bureau"
DEFAULT_DB = "bureau.db"


def parse_args(argv: list[str]) -> argparse.Namespace:
    # --db is accepted before the command and after it; SUPPRESS keeps a later default from
    # overwriting one given earlier.
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                           help=f"the store: a SQLite path, sqlite:///path or postgresql://… (default {DEFAULT_DB})")
    parser = argparse.ArgumentParser(prog=PROG, description="银龄签到 bureau: sites, kiosks and the sync service",
                                     parents=[db_option])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    site = commands.add_parser("site", help="register sites").add_subparsers(dest="action", required=True)
    p = site.add_parser("add", parents=[db_option], help="register a site")
    p.add_argument("code", help="e.g. DEMO-001, as in the kiosk's [site] code")
    p.add_argument("name")
    site.add_parser("list", parents=[db_option], help="the sites")

    kiosk = commands.add_parser("kiosk", help="register kiosks and manage their keys").add_subparsers(
        dest="action", required=True)
    p = kiosk.add_parser("add", parents=[db_option], help="a new kiosk of a site, with its key")
    p.add_argument("--site", required=True, metavar="CODE")
    p.add_argument("--name", default="")
    p.add_argument("--url", default=admin.DEFAULT_URL, help="the bureau's address as kiosks reach it")
    kiosk.add_parser("list", parents=[db_option], help="the kiosks and their sync state")
    p = kiosk.add_parser("rotate", parents=[db_option], help="a new key; the old one works for a while")
    p.add_argument("kiosk_id", metavar="ID")
    p.add_argument("--grace-hours", type=float, default=admin.DEFAULT_GRACE / timedelta(hours=1))
    p.add_argument("--url", default=admin.DEFAULT_URL, help="the bureau's address as kiosks reach it")
    p = kiosk.add_parser("revoke", parents=[db_option], help="refuse every later request of a kiosk")
    p.add_argument("kiosk_id", metavar="ID")

    p = commands.add_parser("serve", parents=[db_option], help="run the HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8800)
    p.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if not hasattr(args, "db"):
        args.db = DEFAULT_DB
    return args


def when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def run(args: argparse.Namespace) -> int:
    if args.command == "site" and args.action == "add":
        site = admin.add_site(args.code, args.name)
        print(f"site {site.code} {site.name}")
    elif args.command == "site":
        for site in admin.sites():
            print(f"{site.code}\t{site.name}")
    elif args.action == "add":
        print(admin.site_file(admin.add_kiosk(args.site, args.name), args.url), end="")
    elif args.action == "list":
        print("kiosk\tsite\tepoch\tacked_seq\tlast_seen\trevoked")
        for k in admin.kiosks():
            print(f"{k.kiosk_id}\t{k.site.code}\t{k.epoch}\t{k.acked_seq}\t{when(k.last_seen)}\t{when(k.revoked_at)}")
    elif args.action == "rotate":
        print(admin.site_file(admin.rotate_key(args.kiosk_id, timedelta(hours=args.grace_hours)), args.url), end="")
    elif args.action == "revoke":
        kiosk = admin.revoke(args.kiosk_id)
        print(f"kiosk {kiosk.kiosk_id} revoked at {when(kiosk.revoked_at)}")
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn
    # Each worker process builds its app from this variable (uvicorn's factory takes no arguments).
    os.environ["BUREAU_DB"] = args.db
    uvicorn.run("bureau.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        open_store(args.db)       # creates the tables once, before any worker starts
        if args.command == "serve":
            close_store()
            return serve(args)
        try:
            return run(args)
        finally:
            close_store()
    except (admin.AdminError, StoreError, PeeweeException) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"{PROG}: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
