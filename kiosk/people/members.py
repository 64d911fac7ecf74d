"""Members for staff: registering a newcomer from the ID card, changing a member, reissuing and
printing QR member cards, and the member's page.

Every change writes the member row, its "member" or "card" fact and one audit entry in one
IMMEDIATE transaction.  A full ID number never reaches this module: a NewcomerCard holds its
id_hash only (kiosk.people.newcomers), and so does a member: no last 4, birth date or address
beside it (docs/design.md §9.1).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from kiosk.files import free_path
from kiosk.i18n import t
from kiosk.identity.credentials import FLAGGED
from kiosk.identity.gbcodes import gender_name, nation_name
from kiosk.people import cards, newcomers, search
from kiosk.points import passbook
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import db, get_by, write
from kiosk.store.models import Enrollment, Member, NewcomerCard, SignIn, Site

# A mainland mobile number; spaces and hyphens as people write them are ignored.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


@dataclass(frozen=True)
class Profile:
    """What the staff's member page shows: never the ID number or any part of it, nor the full phone."""

    member_no: str
    name: str
    gender: str
    phone_last4: str
    joined: date | None
    card_issue: int
    active: bool
    balance: int
    last_sign_in: datetime | None
    sign_ins_this_year: int


@dataclass(frozen=True)
class Printed:
    path: Path  # the card sheet, kept whatever the printer did
    pages: int
    count: int  # cards on the sheet
    printed: bool  # sent to settings.staff.print_command without an error
    error: str = ""  # why the printer failed


def waiting(now: datetime) -> list[newcomers.Newcomer]:
    """Unregistered ID cards read lately, the latest first: the newcomers at the front desk."""
    return newcomers.recent(now)


def register(
    actor: Actor, card_id: int, now: datetime, settings: SimpleNamespace, phone: str = "", name_confirmed: bool = False
) -> Profile:
    """Make a member of the holder of an unregistered ID card and forget the card's row.  A name
    the card could not give in full needs staff to have looked at the card (`name_confirmed`)."""
    phone = _phone(phone)
    with write():
        card = NewcomerCard.get_or_none(NewcomerCard.id == card_id)
        if card is None:
            raise Refused("members.card_gone")
        if card.name_flagged and not name_confirmed:
            raise Refused("members.name_flagged", name=card.name)
        existing = get_by(Member, "id_hash", card.id_hash)
        if existing is not None:
            raise Refused("members.duplicate", member_no=existing.member_no, name=existing.name)
        site = Site.get_or_none(Site.code == settings.site.code)
        if site is None:
            raise Refused("members.no_site", code=settings.site.code)
        member = Member.create(
            member_no=_next_number(settings.staff.member_prefix),
            name=card.name,
            initials=search.initials(card.name),
            gender=gender_name(card.gender) if card.gender in ("1", "2") else "",  # 0 and 9 say nothing
            nation=nation_name(card.nation),
            id_hash=card.id_hash,
            phone=phone,
            phone_last4=phone[-4:],
            joined=now.date(),
            site=site,
        )
        NewcomerCard.delete().where(NewcomerCard.id == card.id).execute()
        record_fact(actor, member, now)
        audit.record(
            actor,
            "member.register",
            _target(member),
            now,
            member_no=member.member_no,
            name=member.name,
            phone_last4=member.phone_last4,
            name_flagged=card.name_flagged,
        )
    return profile(member.member_no, now)


def update(
    actor: Actor,
    member_no: str,
    now: datetime,
    reason: str = "",
    phone: str | None = None,
    active: bool | None = None,
    name: str | None = None,
) -> Profile:
    """Change the phone ("" clears it), whether the member is active, or the name (a character the
    card could not give, 「□」, put right from the card itself; the reason is then required);
    None leaves a field as it is.  Nothing is written when nothing changes."""
    if phone is not None:
        phone = _phone(phone)
    if name is not None:
        name = name.strip()
        if not name or FLAGGED in name:
            raise Refused("members.bad_name", name=name)
    with write():
        current = _member(member_no)
        wanted = {"phone": phone, "active": active, "name": name}
        changes = {k: v for k, v in wanted.items() if v is not None and getattr(current, k) != v}
        if not changes:
            return profile(member_no, now)
        if "name" in changes and not reason.strip():
            raise Refused("members.reason_required")
        before = _shown(current, changes)
        for k, v in changes.items():
            setattr(current, k, v)
        if "phone" in changes:
            current.phone_last4 = current.phone[-4:]
        if "name" in changes:
            current.initials = search.initials(current.name)
        current.save()
        record_fact(actor, current, now)
        audit.record(
            actor, "member.update", _target(current), now, reason.strip(), before=before, after=_shown(current, changes)
        )
    return profile(member_no, now)


def reissue_card(actor: Actor, member_no: str, reason: str, now: datetime) -> Profile:
    """Raise the member's card issue: every QR card printed before no longer signs in
    (card.revoked), so a lost card found by someone else is useless."""
    reason = reason.strip()
    if not reason:
        raise Refused("members.reason_required")
    with write():
        member = _member(member_no)
        Member.update(card_issue=Member.card_issue + 1).where(Member.id == member.id).execute()
        current = Member.get_by_id(member.id)
        facts.record(
            "card",
            facts.new_event_id(),
            {
                "member_no": current.member_no,
                "card_issue": current.card_issue,
                "reason": reason,
                "at": now.isoformat(),
                **actor.origin(),
            },
            now,
        )
        audit.record(
            actor,
            "card.reissue",
            _target(current),
            now,
            reason,
            before={"card_issue": current.card_issue - 1},
            after={"card_issue": current.card_issue},
        )
    return profile(member_no, now)


def profile(member_no: str, now: datetime) -> Profile:
    """The member's page: who they are, their points, and how often they come."""
    member = _member(member_no)
    year = datetime(now.year, 1, 1)
    last, this_year = db.execute_sql(_SIGN_INS, (member.id, member.id, year, now)).fetchone()
    return Profile(
        member.member_no,
        member.name,
        member.gender,
        member.phone_last4,
        member.joined,
        member.card_issue,
        member.active,
        passbook.balance(member),
        SignIn.at.python_value(last),
        this_year,
    )


def full_name(member_no: str) -> str | None:
    """The member's name as staff see it (unmasked); None for a number this kiosk does not hold."""
    member = get_by(Member, "member_no", member_no)
    return member.name if member else None


def card_holders(site: str, course_id: int | None = None) -> list[str]:
    """Whose cards a sheet is for: the site's active members, or the course's enrolled ones."""
    query = Member.select(Member.member_no).join(Site).where(Member.active, Site.code == site)
    if course_id is not None:
        query = (
            query.switch(Member).join(Enrollment).where(Enrollment.course == course_id, Enrollment.status == "enrolled")
        )
    return [m.member_no for m in query.order_by(Member.member_no)]


def print_cards(
    actor: Actor, member_nos: list[str], settings: SimpleNamespace, folder: str | Path, now: datetime
) -> Printed:
    """Write a sheet of the members' QR cards into `folder` (the kiosk's export folder is made when
    missing; another one, a USB stick, must be there) and send it to the printer when one is set."""
    try:
        members = cards.members_for(member_nos) if member_nos else []
    except KeyError as e:
        raise Refused("cards.unknown_members", numbers=e.args[0]) from None
    if not members:
        raise Refused("cards_staff.none")
    folder = Path(folder)
    path = None
    try:
        if folder.resolve() == Path(settings.staff.export_dir).resolve():
            folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise FileNotFoundError(folder)
        path = _free_name(folder, now)
        pages = cards.render(settings, members, path)
    except OSError:
        if path is not None:
            path.unlink(missing_ok=True)
        raise Refused("members.folder_unwritable", folder=str(folder)) from None
    error = cards.send_to_printer(settings.staff.print_command, path) if settings.staff.print_command else ""
    printed = bool(settings.staff.print_command) and not error
    with write():
        audit.record(
            actor,
            "cards.print",
            path.name,
            now,
            members=[m.member_no for m in members],
            pages=pages,
            printed=printed,
            error=error,
        )
    return Printed(path, pages, len(members), printed, error)


# -- steps --------------------------------------------------------------------------------------


def _phone(text: str) -> str:
    phone = re.sub(r"[\s-]", "", text)
    if phone and not _MOBILE.fullmatch(phone):
        raise Refused("members.bad_phone", phone=text.strip())
    return phone


def _next_number(prefix: str) -> str:
    """The prefix and one more than the highest number after it (4 digits at least).  Call inside
    the write transaction, so two registrations cannot take the same number."""
    # GLOB, not LIKE: case-sensitive, and "DM" must not take "DMX12" for one of its numbers.
    highest = db.execute_sql(_HIGHEST, (len(prefix) + 1, prefix + "[0-9]*", len(prefix) + 1)).fetchone()[0]
    return f"{prefix}{(highest or 0) + 1:04d}"


def record_fact(actor: Actor, member: Member, now: datetime) -> None:
    """Write the member's "member" fact: who they are now, all the bureau keeps of them (their
    roster row, the id_hash a card read needs).  Call inside db.write(), with the change."""
    facts.record(
        "member",
        facts.new_event_id(),
        {
            "member_no": member.member_no,
            "name": member.name,
            "gender": member.gender,
            "id_hash": member.id_hash,
            "phone_last4": member.phone_last4,
            "site": member.site.code,
            "joined": member.joined.isoformat() if member.joined else None,
            "active": member.active,
            "at": now.isoformat(),
            **actor.origin(),
        },
        now,
    )


def _member(member_no: str) -> Member:
    member = get_by(Member, "member_no", member_no)
    if member is None:
        raise Refused("members.unknown", number=member_no)
    return member


def _target(member: Member) -> str:
    return f"member {member.member_no}"


def _shown(member: Member, changes: dict) -> dict:
    # What the audit trail keeps of the changed fields: a phone's last 4 digits only.
    return {
        ("phone_last4" if k == "phone" else k): (member.phone[-4:] if k == "phone" else getattr(member, k))
        for k in changes
    }


def _free_name(folder: Path, now: datetime) -> Path:
    """会员卡_20261121_0930.pdf, or …_0930_2.pdf when a sheet was made in the same minute."""
    return free_path(folder / f"{t('cards_staff.file', time=f'{now:%Y%m%d_%H%M}')}.pdf")


_HIGHEST = """
    SELECT max(CAST(substr(member_no, ?) AS INTEGER)) FROM member
    WHERE member_no GLOB ? AND substr(member_no, ?) NOT GLOB '*[^0-9]*'"""
_SIGN_INS = """
    SELECT (SELECT max(at) FROM sign_in WHERE member_id = ?),
           (SELECT count(*) FROM sign_in WHERE member_id = ? AND at >= ? AND at <= ?)"""
