"""python -m bureau [--db URL] COMMAND …   the bureau operator's commands.

    site add CODE NAME | site list
    kiosk add --site CODE [--name N] [--url URL]    prints the kiosk's [kiosk] and [sync] settings
    kiosk list | kiosk rotate ID [--grace-hours 72] [--url URL] | kiosk revoke ID
    serve [--host 127.0.0.1] [--port 8800] [--workers 1]

What kiosks pull (bureau/publish.py):
    rules set CATEGORY --points N [--per attendance|hour] [--daily-cap N] [--once-per-item yes|no] | rules list
    activity publish --title T --start "2026-12-01 09:00" --end … [--site CODE] [--place P] [--category K]
             [--capacity N] [--open] [--points N]   prints the key | activity list | activity withdraw KEY
    course publish --site CODE --title T --term-name N --term-start D --term-end D --weekly "1 09:00-11:00" …
             [--teacher T] [--room R] [--capacity N] [--category C]   prints the key | course list
    settings set [--site CODE | --kiosk ID] key=value … | settings list
    streams list | streams trim [--days 180] | streams reset STREAM

Reports and the staff's web page (bureau/reports.py, bureau/web.py at /web):
    report attendance --from D --to D [--site CODE] | report active [--days 30]
    report care [--weeks 4] [--site CODE] | report kiosks | report points     (each: [--csv])
    user add NAME [--password-stdin] | user list | user disable NAME

--db is a SQLite path (default bureau.db here), sqlite:///path or postgresql://user@host:port/db,
before or after the command.  Errors: one line on stderr and exit status 2.
"""
import argparse
import getpass
import multiprocessing
import os
import sys
from datetime import date, timedelta

from peewee import PeeweeException

from bureau import admin, publish, reports, rules, streams, users
from bureau.store import StoreError, close_store, is_sqlite, open_store, utcnow

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
    add_publish_commands(commands, db_option)
    add_report_commands(commands, db_option)
    args = parser.parse_args(argv)
    if not hasattr(args, "db"):
        args.db = DEFAULT_DB
    return args


def when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def run(args: argparse.Namespace) -> int:
    if args.command in PUBLISH_COMMANDS:
        return run_publish(args)
    if args.command in REPORT_COMMANDS:
        return run_reports(args)
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


# --- what kiosks pull ------------------------------------------------------------------------------

PUBLISH_COMMANDS = ("rules", "activity", "course", "settings", "streams")


def add_publish_commands(commands, db_option: argparse.ArgumentParser) -> None:
    def group(name: str, text: str):
        return commands.add_parser(name, help=text).add_subparsers(dest="action", required=True)

    rules = group("rules", "points rules")
    p = rules.add_parser("set", parents=[db_option], help="publish a category's rule (its next version)")
    p.add_argument("category", help=", ".join(publish.RULE_CATEGORIES))
    p.add_argument("--points", type=int, required=True)
    # Left out, --per, --daily-cap and --once-per-item stay as the current version has them.
    p.add_argument("--per", help=" or ".join(publish.PER) + " (new rule: attendance)")
    p.add_argument("--daily-cap", type=int, help="most points a member earns a day; 0 = no cap (new rule: 0)")
    p.add_argument("--once-per-item", choices=("yes", "no"), help="(new rule: yes)")
    rules.add_parser("list", parents=[db_option], help="the rules kiosks have")

    activity = group("activity", "activities for the kiosks")
    p = activity.add_parser("publish", parents=[db_option], help="a new activity; prints its key")
    p.add_argument("--title", required=True)
    p.add_argument("--start", required=True, help='local time, e.g. "2026-12-01 09:00"')
    p.add_argument("--end", required=True)
    p.add_argument("--site", metavar="CODE", help="only this site's kiosks (default: every kiosk)")
    p.add_argument("--place", default="")
    p.add_argument("--category", default="activity", help=", ".join(publish.ACTIVITY_CATEGORIES))
    p.add_argument("--capacity", type=int, default=0, help="0 = no limit")
    p.add_argument("--open", action="store_true", help="anyone may sign in without registering")
    p.add_argument("--points", type=int, help="default: the rule of its category")
    activity.add_parser("list", parents=[db_option], help="the published activities")
    p = activity.add_parser("withdraw", parents=[db_option], help="take an activity back")
    p.add_argument("key")

    course = group("course", "courses for a site's kiosks")
    p = course.add_parser("publish", parents=[db_option], help="a new course; prints its key")
    p.add_argument("--site", metavar="CODE", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--term-name", required=True)
    p.add_argument("--term-start", required=True, metavar="DATE")
    p.add_argument("--term-end", required=True, metavar="DATE")
    p.add_argument("--weekly", action="append", required=True, metavar='"WEEKDAY HH:MM-HH:MM"',
                   help="weekday 1 (Monday) to 7 and times; repeat for each weekly lesson")
    p.add_argument("--teacher", default="")
    p.add_argument("--room", default="")
    p.add_argument("--capacity", type=int, default=0, help="0 = no limit")
    p.add_argument("--category", default="lesson", help="the subject as the centre files it")
    course.add_parser("list", parents=[db_option], help="the published courses")

    settings = group("settings", "kiosk settings set by the bureau")
    p = settings.add_parser("set", parents=[db_option], help="for every kiosk, one site's or one kiosk's")
    p.add_argument("--site", metavar="CODE")
    p.add_argument("--kiosk", metavar="ID")
    p.add_argument("values", nargs="+", metavar="key=value", help=", ".join(publish.SETTINGS))
    settings.add_parser("list", parents=[db_option], help="the settings at each level")

    stream = group("streams", "the pull streams")
    stream.add_parser("list", parents=[db_option], help="each stream's handle, newest rev and rows")
    p = stream.add_parser("trim", parents=[db_option], help="forget deletions older than --days")
    p.add_argument("--days", type=float, default=streams.RETENTION.days)
    p = stream.add_parser("reset", parents=[db_option], help="make every kiosk fetch a stream again")
    p.add_argument("stream", help=", ".join(streams.STREAMS))


def run_publish(args: argparse.Namespace) -> int:
    command = (args.command, args.action)
    if command == ("rules", "set"):
        once = None if args.once_per_item is None else args.once_per_item == "yes"
        print_rules([publish.set_rule(args.category, args.points, args.per, args.daily_cap, once)])
    elif command == ("rules", "list"):
        print_rules(publish.rules())
    elif command == ("activity", "publish"):
        print(publish.publish_activity(args.title, args.start, args.end, args.site, args.place, args.category,
                                       args.capacity, args.open, args.points))
    elif command == ("course", "publish"):
        print(publish.publish_course(args.site, args.title, args.term_name, args.term_start, args.term_end,
                                     args.weekly, args.teacher, args.room, args.capacity, args.category))
    elif args.action == "list" and args.command in ("activity", "course"):
        print_items(args.command)
    elif command == ("activity", "withdraw"):
        publish.withdraw_activity(args.key)
        print(f"activity {args.key} withdrawn")
    elif command == ("settings", "set"):
        entity, values = publish.set_settings(args.values, args.site, args.kiosk)
        print(f"{entity}\t{streams.canonical(values)}")
    elif command == ("settings", "list"):
        for entity, values in publish.settings():
            print(f"{entity}\t{streams.canonical(values)}")
    elif command == ("streams", "list"):
        print("stream\thandle\thead_rev\tmin_retained_rev\trows")
        for m, count in streams.metas():
            print(f"{m.stream}\t{m.handle}\t{m.head_rev}\t{m.min_retained_rev}\t{count}")
    elif command == ("streams", "trim"):
        for stream, (removed, least) in publish.trim(args.days).items():
            print(f"{stream}\tremoved {removed}\tmin_retained_rev {least}")
    elif command == ("streams", "reset"):
        print(f"stream {args.stream} handle {publish.reset(args.stream)}")
    return 0


def print_rules(rules: list[dict]) -> None:
    print("category\tpoints\tper\tdaily_cap\tonce_per_item\tversion")
    for r in rules:
        once = "yes" if r["once_per_item"] else "no"
        print(f"{r['category']}\t{r['points']}\t{r['per']}\t{r['daily_cap']}\t{once}\t{r['version']}")


def print_items(kind: str) -> None:
    if kind == "activity":
        print("key\tscope\tstart\tend\tcategory\ttitle")
        for scope, a in publish.items(kind):
            print(f"{a['key']}\t{scope or '*'}\t{a['start']}\t{a['end']}\t{a['category']}\t{a['title']}")
    else:
        print("key\tscope\tterm\tschedule\tcategory\ttitle")
        for scope, c in publish.items(kind):
            times = ",".join(f"{s['weekday']} {s['start']}-{s['end']}" for s in c["schedule"])
            print(f"{c['key']}\t{scope}\t{c['term']['start']}..{c['term']['end']}\t{times}\t{c['category']}\t{c['title']}")


# --- reports and the web page's users ----------------------------------------------------------------

REPORT_COMMANDS = ("report", "user")


def add_report_commands(commands, db_option: argparse.ArgumentParser) -> None:
    report = commands.add_parser("report", help="figures for the bureau's staff").add_subparsers(
        dest="action", required=True)
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

    user = commands.add_parser("user", help="bureau staff who may open the web page").add_subparsers(
        dest="action", required=True)
    p = user.add_parser("add", parents=[db_option], help="a new user (asks for the password)")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    user.add_parser("list", parents=[db_option], help="the users")
    p = user.add_parser("disable", parents=[db_option], help="the user can no longer sign in; their sessions end")
    p.add_argument("username")


def run_reports(args: argparse.Namespace) -> int:
    try:
        if args.command == "user":
            return run_user(args)
        tables = {
            "attendance": lambda: reports.attendance_tables(args.start, args.end, args.site),
            "active": lambda: reports.active_tables(args.days),
            "care": lambda: reports.care_tables(args.weeks, site=args.site),
            "kiosks": lambda: reports.kiosk_tables(utcnow()),
            "points": reports.points_tables,
        }[args.action]()
    except reports.UnknownSite as e:
        print(f"{PROG}: unknown site {e} (python -m bureau site list)", file=sys.stderr)
        return 2
    except users.UserError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(reports.as_csv(tables) if args.csv else reports.as_text(tables))
    return 0


def run_user(args: argparse.Namespace) -> int:
    if args.action == "add":
        user = users.add_user(args.username, read_password(args.password_stdin))
        print(f"user {user.username} added")
    elif args.action == "list":
        print("user\tdisabled\tlast_login\tlocked_until")
        for u in users.users():
            print(f"{u.username}\t{'yes' if u.disabled else 'no'}\t{when(u.last_login)}\t{when(u.locked_until)}")
    else:
        print(f"user {users.disable(args.username).username} disabled")
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


def serve(args: argparse.Namespace) -> int:
    import uvicorn
    # Each worker process builds its app from this variable (uvicorn's factory takes no arguments).
    os.environ["BUREAU_DB"] = args.db
    # On PostgreSQL one rules process serves all HTTP workers (bureau.rules.follow), so the rules
    # never hold the GIL a push needs; on SQLite they run in the app (see bureau.app).  A pull of
    # members or balances still applies what is pending first: a kiosk sees its own pushes at once.
    applier = None if is_sqlite() else multiprocessing.get_context("spawn").Process(
        target=rules.follow, args=(args.db, os.getpid()), name="bureau-rules", daemon=True)
    if applier:
        applier.start()
    try:
        uvicorn.run("bureau.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers)
    finally:
        if applier:
            applier.terminate()
            applier.join(10)
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
