"""course publish --site CODE --title T --term-name N --term-start D --term-end D --weekly
"1 09:00-11:00" … [--teacher T] [--room R] [--capacity N] [--category C] (prints the key)
| course list: courses a site's kiosks pull (bureau/publish.py)."""

import argparse

from bureau import publish


def add(commands, db_option: argparse.ArgumentParser) -> None:
    course = commands.add_parser("course", help="courses for a site's kiosks").add_subparsers(
        dest="action", required=True
    )
    p = course.add_parser("publish", parents=[db_option], help="a new course; prints its key")
    p.add_argument("--site", metavar="CODE", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--term-name", required=True)
    p.add_argument("--term-start", required=True, metavar="DATE")
    p.add_argument("--term-end", required=True, metavar="DATE")
    p.add_argument(
        "--weekly",
        action="append",
        required=True,
        metavar='"WEEKDAY HH:MM-HH:MM"',
        help="weekday 1 (Monday) to 7 and times; repeat for each weekly lesson",
    )
    p.add_argument("--teacher", default="")
    p.add_argument("--room", default="")
    p.add_argument("--capacity", type=int, default=0, help="0 = no limit")
    p.add_argument("--category", default="lesson", help="the subject as the centre files it")
    course.add_parser("list", parents=[db_option], help="the published courses")


def run(args: argparse.Namespace) -> int:
    if args.action == "publish":
        print(
            publish.publish_course(
                args.site,
                args.title,
                args.term_name,
                args.term_start,
                args.term_end,
                args.weekly,
                args.teacher,
                args.room,
                args.capacity,
                args.category,
            )
        )
    else:
        print("key\tscope\tterm\tschedule\tcategory\ttitle")
        for scope, c in publish.items("course"):
            times = ",".join(f"{s['weekday']} {s['start']}-{s['end']}" for s in c["schedule"])
            print(
                f"{c['key']}\t{scope}\t{c['term']['start']}..{c['term']['end']}\t{times}\t{c['category']}\t{c['title']}"
            )
    return 0
