"""python main.py cards --out FILE.pdf [NO ...]: print QR member cards."""

import argparse
import sys
from types import SimpleNamespace

from kiosk.i18n import t
from kiosk.people import cards


def add(sub) -> None:
    p = sub.add_parser("cards", help="render a printable A4 sheet of QR member cards")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("members", nargs="*", metavar="NO", help="member numbers (default: every active member)")


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    try:
        chosen = cards.members_for(args.members)
    except KeyError as e:
        print(t("cards.unknown_members", numbers=e.args[0]), file=sys.stderr)
        return 2
    if not chosen:
        print(t("cards.no_members"), file=sys.stderr)
        return 2
    pages = cards.render(settings, chosen, args.out)
    print(t("cards.written", count=len(chosen), pages=pages, out=args.out))
    return 0
