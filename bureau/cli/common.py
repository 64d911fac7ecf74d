"""What several commands print: times, and a failure as one line on stderr."""

import sys


def when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def fail(args, message: str) -> int:
    print(f"{args.prog}: {message}", file=sys.stderr)
    return 2
