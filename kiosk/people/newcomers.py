"""ID cards that matched no member, kept for staff to register the holder (staff mode).

What the card says that a member keeps (name, gender, nation) and its validity are kept with the
number's id_hash, never the number itself, and only for a few days: long enough for the newcomer
to reach the front desk, short enough to keep no one's data idly.  Not its last 4, the birth date
or the address: beside the id_hash they would narrow a search for the number (docs/design.md §9.1).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.identity.credentials import Credential
from kiosk.store.db import write
from kiosk.store.models import NewcomerCard

KEEP = timedelta(days=7)


@dataclass(frozen=True)
class Newcomer:
    """An unregistered card as staff see it: never the ID number or any part of it."""

    id: int
    at: datetime  # when it was last read
    card_type: str
    name: str
    name_flagged: bool  # the name holds a character the card could not give (□)
    gender: str  # GB/T 2261.1 code
    nation: str  # GB 3304 code
    valid_to: date | None
    long_term: bool


def remember(cred: Credential, id_hash: str, now: datetime) -> None:
    """Keep (or refresh) an unregistered ID card's fields, with the id_hash of its number."""
    fields = dict(
        at=now,
        card_type=cred.card_type or "resident",
        name=cred.name,
        name_flagged=cred.name_flagged,
        gender=cred.gender,
        nation=cred.nation,
        valid_to=cred.valid_to,
        long_term=cred.long_term,
    )
    with write():
        _purge(now)
        (
            NewcomerCard.insert(id_hash=id_hash, **fields)
            .on_conflict(conflict_target=[NewcomerCard.id_hash], update=fields)
            .execute()
        )


def purge(now: datetime) -> int:
    """Forget the cards read more than KEEP ago (at start-up and daily, as well as on a read):
    how many were forgotten."""
    with write():
        return _purge(now)


def _purge(now: datetime) -> int:
    return NewcomerCard.delete().where(NewcomerCard.at < now - KEEP).execute()


def recent(now: datetime) -> list[Newcomer]:
    """Cards waiting for registration, the latest first."""
    return [
        Newcomer(
            c.id,
            c.at,
            c.card_type,
            c.name,
            c.name_flagged,
            c.gender,
            c.nation,
            c.valid_to,
            c.long_term,
        )
        for c in NewcomerCard.select().where(NewcomerCard.at >= now - KEEP).order_by(NewcomerCard.at.desc())
    ]
