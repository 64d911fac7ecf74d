"""python main.py member …: an operator's work on one member.

    member show NO                                      the member's page (ID: last 4 only)
    member reissue NO --reason R                        a new QR card; older ones stop working
    member rename NO --name NAME --reason R             correct a name the card could not give
    member points NO --volunteer HOURS --reason R       volunteer hours
    member points NO --redeem N --reason R              spend points

The operator acts as "命令行" in the audit trail.  A reason is free text or a key of the
ledger's reason lists (kiosk.points.ledger).
"""

import argparse
import sys
from datetime import datetime
from types import SimpleNamespace

from kiosk.i18n import t
from kiosk.people import members
from kiosk.points import ledger
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused


def add(sub) -> None:
    p = sub.add_parser("member", help="show a member, reissue their card, correct the name, record points")
    actions = p.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="the member's page (ID number: last 4 only)")
    show.add_argument("number", metavar="NO")
    reissue = actions.add_parser("reissue", help="a new QR card; every older card stops working")
    reissue.add_argument("number", metavar="NO")
    reissue.add_argument("--reason", required=True, metavar="R")
    rename = actions.add_parser("rename", help="correct the name, e.g. a character the card showed as □")
    rename.add_argument("number", metavar="NO")
    rename.add_argument("--name", required=True)
    rename.add_argument("--reason", required=True, metavar="R")
    entry = actions.add_parser("points", help="volunteer hours or a redemption")
    entry.add_argument("number", metavar="NO")
    kind = entry.add_mutually_exclusive_group(required=True)
    kind.add_argument("--volunteer", metavar="HOURS", help="hours of service, in half hours")
    kind.add_argument("--redeem", metavar="N", help="points to spend")
    entry.add_argument(
        "--reason",
        required=True,
        metavar="R",
        help=f"text, or one of: {', '.join(ledger.VOLUNTEER_REASONS + ledger.REDEEM_REASONS)}",
    )


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    try:
        print(_ACTIONS[args.action](args, args.number.strip().upper(), Actor.of(None, settings), datetime.now()))
    except Refused as e:
        print(e.message(), file=sys.stderr)
        return 2
    return 0


def _show(args: argparse.Namespace, member_no: str, actor: Actor, now: datetime) -> str:
    p = members.profile(member_no, now)
    none = t("members.none")
    return t(
        "members.show",
        member_no=p.member_no,
        name=p.name,
        gender=p.gender or none,
        phone=p.phone_last4 or none,
        joined=p.joined or none,
        issue=p.card_issue,
        state=t("members.active" if p.active else "members.inactive"),
        balance=p.balance,
        last=f"{p.last_sign_in:%Y-%m-%d %H:%M}" if p.last_sign_in else none,
        count=p.sign_ins_this_year,
    )


def _reissue(args: argparse.Namespace, member_no: str, actor: Actor, now: datetime) -> str:
    member = members.reissue_card(actor, member_no, args.reason, now)
    return t("members.reissued", member_no=member.member_no, issue=member.card_issue)


def _rename(args: argparse.Namespace, member_no: str, actor: Actor, now: datetime) -> str:
    member = members.update(actor, member_no, now, args.reason, name=args.name)
    return t("members.renamed", member_no=member.member_no, name=member.name)


def _points(args: argparse.Namespace, member_no: str, actor: Actor, now: datetime) -> str:
    if args.volunteer is not None:
        hours = _number(args.volunteer, float, Refused("ledger.bad_hours", hours=args.volunteer, most=ledger.MAX_HOURS))
        done = ledger.volunteer(actor, member_no, hours, args.reason, now)
        said = t(
            "ledger.volunteered", member_no=member_no, hours=f"{hours:g}", amount=done.amount, balance=done.balance
        )
        return f"{said}\n{t('ledger.capped', held_back=done.held_back)}" if done.capped else said
    amount = _number(args.redeem, int, Refused("ledger.bad_amount", amount=args.redeem))
    done = ledger.redeem(actor, member_no, amount, args.reason, now)
    return t("ledger.redeemed", member_no=member_no, amount=amount, balance=done.balance)


def _number(text: str, kind: type, refused: Refused):
    try:
        return kind(text)
    except ValueError:
        raise refused from None


_ACTIONS = {"show": _show, "reissue": _reissue, "rename": _rename, "points": _points}
