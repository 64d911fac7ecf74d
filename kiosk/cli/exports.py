"""python main.py export REPORT [--term NAME] [--course NAME] [--member NO] [--date D]
[--from D --to D] [--format xlsx|csv] [--out DIR]: a report to Excel or CSV (kiosk.desk.exports)."""

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from kiosk.desk import exports
from kiosk.i18n import t
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.db import get_by
from kiosk.store.models import Course, Member, Site, Term


def add(sub) -> None:
    p = sub.add_parser("export", help=t("exports.help"))
    p.add_argument("report", choices=exports.REPORTS, help=t("exports.help_report"))
    p.add_argument("--term", metavar="NAME", help=t("exports.help_term"))
    p.add_argument("--course", metavar="NAME", help=t("exports.help_course"))
    p.add_argument("--member", metavar="NO", help=t("exports.help_member"))
    p.add_argument("--date", metavar="D", type=_date, help=t("exports.help_date"))
    p.add_argument("--from", dest="start", metavar="D", type=_date, help=t("exports.help_from"))
    p.add_argument("--to", dest="end", metavar="D", type=_date, help=t("exports.help_to"))
    p.add_argument("--format", choices=exports.FORMATS, default="xlsx", help=t("exports.help_format"))
    p.add_argument("--out", metavar="DIR", help=t("exports.help_out"))


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    now = datetime.now()
    try:
        params = _params(args, settings, now.date())
        folder = Path(args.out) if args.out else exports.folders(settings)[0]
        written = exports.export(Actor.of(None, settings), args.report, args.format, folder, now, **params)
    except Refused as e:
        print(e.message(), file=sys.stderr)
        return 2
    print(t("exports.written", count=len(written)))
    for path in written:
        print(path)
    return 0


def _params(args: argparse.Namespace, settings: SimpleNamespace, today: date) -> dict:
    """The report's parameters from the options, with the defaults the help names."""
    site = settings.site.code
    if args.report == "attendance":
        return {"term_id": _term(args.term, site, today).id}
    if args.report == "course":
        if not args.course:
            raise Refused("exports.need_course")
        term = _term(args.term, site, today)
        course = Course.get_or_none(Course.term == term, Course.name == args.course)
        if course is None:
            raise Refused("exports.unknown_course", term=term.name, name=args.course)
        return {"course_id": course.id}
    if args.report == "member":
        if not args.member:
            raise Refused("exports.need_member")
        member = get_by(Member, "member_no", args.member)
        if member is None:
            raise Refused("exports.unknown_member", member_no=args.member)
        return {"member_no": member.member_no, "term_id": _term(args.term, site, today).id}
    if args.report == "day":
        return {"day": args.date or today}
    if args.report == "care":
        return {"missed_in_row": settings.staff.care_missed_in_row, "absent_weeks": settings.staff.care_absent_weeks}
    start, end = args.start or today.replace(day=1), args.end or today
    if start > end:
        raise Refused("exports.backwards", start=start, end=end)
    return {"start": start, "end": end}


def _term(name: str | None, site: str, today: date) -> Term:
    """The term named, else the one under way (the latest begun, between terms)."""
    terms = Term.select(Term, Site).join(Site)
    if name:
        found = sorted(terms.where(Term.name == name), key=lambda x: x.site.code != site)
        if not found:
            raise Refused("exports.unknown_term", name=name)
        return found[0]
    current = terms.where(Site.code == site, Term.start <= today).order_by(Term.start.desc()).first()
    if current is None:
        raise Refused("exports.no_term")
    return current


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("exports.bad_date", value=text)) from None
