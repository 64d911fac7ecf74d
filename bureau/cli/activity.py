"""activity publish --title T --start "2026-12-01 09:00" --end … [--site CODE] [--place P]
[--category K] [--capacity N] [--open] [--points N] (prints the key) | activity list
| activity withdraw KEY: activities kiosks pull (bureau/publish.py)."""

import argparse

from bureau import publish


def add(commands, db_option: argparse.ArgumentParser) -> None:
    activity = commands.add_parser("activity", help="activities for the kiosks").add_subparsers(
        dest="action", required=True
    )
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


def run(args: argparse.Namespace) -> int:
    if args.action == "publish":
        print(
            publish.publish_activity(
                args.title,
                args.start,
                args.end,
                args.site,
                args.place,
                args.category,
                args.capacity,
                args.open,
                args.points,
            )
        )
    elif args.action == "list":
        print("key\tscope\tstart\tend\tcategory\ttitle")
        for scope, a in publish.items("activity"):
            print(f"{a['key']}\t{scope or '*'}\t{a['start']}\t{a['end']}\t{a['category']}\t{a['title']}")
    else:
        publish.withdraw_activity(args.key)
        print(f"activity {args.key} withdrawn")
    return 0
