"""Staff accounts and the PIN that opens staff mode (docs/design.md §9.4).

A PIN is kept only as a salted scrypt hash.  Wrong PINs lock the account for longer each time,
and that state is in the Staff row, so turning the kiosk off and on again does not reset it.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from contract import passwords
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.models import Site, Staff

log = logging.getLogger(__name__)

ROLES = ("staff", "admin")

_PIN = re.compile(r"[0-9]{4,8}")


@dataclass(frozen=True)
class Login:
    """The outcome of one PIN entry."""

    ok: bool
    staff: Staff | None
    tries_left: int  # wrong PINs left before the account locks
    locked_until: datetime | None  # set when the account is locked
    message: str  # catalog key: access.welcome, wrong_pin, locked, no_staff


# -- PINs ---------------------------------------------------------------------------------------


def hash_pin(pin: str) -> str:
    """ "scrypt$n$r$p$<salt hex>$<hash hex>" with a fresh random salt."""
    return passwords.make(pin)


def verify_pin(pin: str, stored: str) -> bool:
    """Whether `pin` is the one `stored` was made from; a malformed `stored` matches nothing."""
    return passwords.check(pin, stored)


def check_pin(pin: str) -> None:
    """Refused unless the PIN is 4-8 digits and not one anybody would guess first (1111, 1234, 9876)."""
    if not _PIN.fullmatch(pin):
        raise Refused("access.pin_format")
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    if steps in ({0}, {1}, {9}):
        raise Refused("access.weak_pin")


# -- roles --------------------------------------------------------------------------------------


def require(actor: Actor, role: str) -> None:
    """Refused when `actor` lacks `role`.  The command line may do everything: whoever runs it
    already holds the machine."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == "admin" and actor.staff is not None and actor.staff.role != "admin":
        raise Refused("access.admin_only")


# -- accounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A staff member as the login page and `staff list` show them."""

    id: int
    name: str
    role: str
    locked_until: datetime | None


def list_staff(site_code: str) -> list[Account]:
    """The site's active staff, admins first, then by name."""
    return [
        Account(s.id, s.name, s.role, s.locked_until)
        for s in Staff.select()
        .join(Site)
        .where(Site.code == site_code, Staff.active)
        .order_by(Staff.role != "admin", Staff.name, Staff.id)
    ]


def by_name(site_code: str, name: str) -> Staff:
    """The site's active staff member called `name`."""
    found = [s for s in list_staff(site_code) if s.name == name.strip()]
    if not found:
        raise Refused("access.no_such_staff", name=name)
    return Staff.get_by_id(found[0].id)


def add_staff(actor: Actor, name: str, pin: str, role: str, site_code: str, now: datetime) -> Staff:
    """A new staff account.  A site's first account must be an admin's (someone has to be able to
    add the others); after that only an admin, or the command line, adds staff."""
    name = name.strip()
    if not name:
        raise Refused("access.name_empty")
    if role not in ROLES:
        raise Refused("access.bad_role", role=role)
    check_pin(pin)
    pin_hash = hash_pin(pin)  # ~50 ms of CPU: not while holding the write lock
    with write():
        site = Site.get_or_none(Site.code == site_code)
        if site is None:
            raise Refused("access.no_site", site=site_code)
        current = list_staff(site_code)
        if not current and role != "admin":
            raise Refused("access.first_admin")
        if current:
            require(actor, "admin")
        if any(s.name == name for s in current):
            raise Refused("access.name_taken", name=name)
        staff = Staff.create(name=name, pin_hash=pin_hash, role=role, site=site)
        _fact(actor, staff, "add", now)
        audit.record(actor, "staff.add", _target(staff), now, role=role)
    log.info("staff %s (%s) added by %s", staff.id, role, actor.name)
    return staff


def set_pin(actor: Actor, staff: Staff, pin: str, now: datetime) -> None:
    """A new PIN, which also lifts a lockout.  Staff may change their own; an admin anyone's."""
    if actor.staff is None or actor.staff.id != staff.id:
        require(actor, "admin")
    check_pin(pin)
    pin_hash = hash_pin(pin)
    with write():
        current = _active(staff)
        current.pin_hash, current.failures, current.lockouts, current.locked_until = pin_hash, 0, 0, None
        current.save()
        _fact(actor, current, "pin", now)
        audit.record(actor, "staff.pin", _target(current), now)
    log.info("PIN of staff %s changed by %s", staff.id, actor.name)


def disable(actor: Actor, staff: Staff, reason: str, now: datetime) -> None:
    """Close an account (kept for the audit trail).  Never the site's last admin: nobody could
    manage staff any more."""
    require(actor, "admin")
    reason = reason.strip()
    if not reason:
        raise Refused("access.reason_needed")
    with write():
        current = _active(staff)
        admins = [s for s in list_staff(current.site.code) if s.role == "admin"]
        if current.role == "admin" and len(admins) <= 1:
            raise Refused("access.last_admin", name=current.name)
        current.active = False
        current.save()
        _fact(actor, current, "disable", now, reason)
        audit.record(actor, "staff.disable", _target(current), now, reason=reason)
    log.info("staff %s disabled by %s", staff.id, actor.name)


def _active(staff: Staff) -> Staff:
    # The row as it is now, inside the write: the caller's copy may be stale.
    current = Staff.get_or_none(Staff.id == staff.id)
    if current is None or not current.active:
        raise Refused("access.inactive", name=staff.name)
    return current


def _target(staff: Staff) -> str:
    return f"staff {staff.name}"


def _fact(actor: Actor, staff: Staff, change: str, now: datetime, reason: str = "") -> None:
    # Never the PIN hash: it stays on this kiosk.
    facts.record(
        "staff",
        facts.new_event_id(),
        {
            **actor.origin(),
            "change": change,
            "local_id": staff.id,
            "name": staff.name,
            "role": staff.role,
            "active": bool(staff.active),
            "reason": reason,
            "at": now.isoformat(),
        },
        now,
    )


# -- logging in ---------------------------------------------------------------------------------


def login(staff_id: int, pin: str, now: datetime, settings: SimpleNamespace, confirm: bool = False) -> Login:
    """Check a PIN entered on the pad.  With `confirm`, a signed-in staff member types their PIN
    again to vouch for a step (代为报名): the same count and lockout, but a right PIN writes no
    `staff.login` entry (the step audits itself).  After `lockout_after` wrong PINs in a row the account is
    locked, first for `lockout_first_s`, twice as long each time after, at most `lockout_max_s`;
    while locked no PIN is even checked.  A right PIN clears the count and the lockouts.  A lock
    ending further ahead than `lockout_max_s` was set by a clock that ran fast: it counts as over."""
    rules = settings.staff
    staff = Staff.get_or_none(Staff.id == staff_id, Staff.active)
    if staff is None:
        return Login(False, None, 0, None, "access.no_staff")
    if _locked(staff, now, rules.lockout_max_s):
        log.info("login of staff %s refused: locked until %s", staff.id, staff.locked_until)
        return Login(False, staff, 0, staff.locked_until, "access.locked")
    right = verify_pin(pin, staff.pin_hash)  # outside the write: scrypt holds the CPU ~50 ms
    actor = Actor.of(staff, settings)
    with write():
        staff = Staff.get_or_none(Staff.id == staff_id, Staff.active)  # as it is now, inside the write
        if staff is None:
            return Login(False, None, 0, None, "access.no_staff")
        if _locked(staff, now, rules.lockout_max_s):
            return Login(False, staff, 0, staff.locked_until, "access.locked")
        if right:
            staff.failures, staff.lockouts, staff.locked_until = 0, 0, None
            staff.save()
            if not confirm:
                audit.record(actor, "staff.login", _target(staff), now)
            log.info("staff %s %s", staff.id, "confirmed their PIN" if confirm else "logged in")
            return Login(True, staff, rules.lockout_after, None, "access.welcome")
        staff.failures += 1
        log.warning("wrong PIN for staff %s (%s in a row)", staff.id, staff.failures)
        if staff.failures < rules.lockout_after:
            staff.save()
            return Login(False, staff, rules.lockout_after - staff.failures, None, "access.wrong_pin")
        seconds = min(rules.lockout_first_s * 2**staff.lockouts, rules.lockout_max_s)
        staff.failures, staff.lockouts = 0, staff.lockouts + 1
        staff.locked_until = now + timedelta(seconds=seconds)
        staff.save()
        audit.record(actor, "staff.locked", _target(staff), now, seconds=seconds, until=staff.locked_until.isoformat())
    log.warning("staff %s locked for %s s", staff.id, seconds)
    return Login(False, staff, 0, staff.locked_until, "access.locked")


def _locked(staff: Staff, now: datetime, max_s: int) -> bool:
    until = staff.locked_until
    return until is not None and now < until <= now + timedelta(seconds=max_s)
