"""streams list | streams trim [--days 180] | streams reset STREAM: the pull streams kiosks copy."""

import argparse

from bureau import publish, streams


def add(commands, db_option: argparse.ArgumentParser) -> None:
    stream = commands.add_parser("streams", help="the pull streams").add_subparsers(dest="action", required=True)
    stream.add_parser("list", parents=[db_option], help="each stream's handle, newest rev and rows")
    p = stream.add_parser("trim", parents=[db_option], help="forget deletions older than --days")
    p.add_argument("--days", type=float, default=streams.RETENTION.days)
    p = stream.add_parser("reset", parents=[db_option], help="make every kiosk fetch a stream again")
    p.add_argument("stream", help=", ".join(streams.STREAMS))


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        print("stream\thandle\thead_rev\tmin_retained_rev\trows")
        for m, count in streams.metas():
            print(f"{m.stream}\t{m.handle}\t{m.head_rev}\t{m.min_retained_rev}\t{count}")
    elif args.action == "trim":
        for stream, (removed, least) in publish.trim(args.days).items():
            print(f"{stream}\tremoved {removed}\tmin_retained_rev {least}")
    else:
        print(f"stream {args.stream} handle {publish.reset(args.stream)}")
    return 0
