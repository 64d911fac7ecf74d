"""What the rules read of a parsed fact (contract.payloads checked its fields' types, bounds and
characters), and BadFact for a fact they still cannot use: it is dead-lettered (dead.py)."""

from datetime import datetime

from contract import payloads


class BadFact(ValueError):
    """A fact the rules cannot use (it names a ledger entry twice, it would take a balance past
    its bound): dead-lettered with this reason, and the round goes on."""


def member_of(fact) -> str | None:
    """The member a member, signin, points, redemption or application fact names."""
    p = fact.payload
    named = payloads.Member | payloads.Signin | payloads.Points | payloads.Redemption | payloads.Application
    return p.member_no if isinstance(p, named) else None


def local(at: datetime) -> datetime:
    """A kiosk's time as the store keeps it: its local time as it wrote it, with no zone."""
    return at.replace(tzinfo=None)
