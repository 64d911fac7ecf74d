"""ID cards that matched no member, kept for staff to register the holder (staff mode).

What the card says (name, gender, birth date, nation, address, validity) is kept with the keyed
hash and last 4 characters of the number, never the number itself, and only for a few days:
long enough for the newcomer to reach the front desk, short enough to keep no one's data idly.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.identity import ids
from kiosk.identity.credentials import Credential
from kiosk.store.db import write
from kiosk.store.models import NewcomerCard

KEEP = timedelta(days=7)


@dataclass(frozen=True)
class Newcomer:
    """An unregistered card as staff see it: never the ID number, only its last 4 characters."""

    id: int
    at: datetime  # when it was last read
    card_type: str
    name: str
    name_flagged: bool  # the name holds a character the card could not give (□)
    gender: str  # GB/T 2261.1 code
    birth_date: date | None
    nation: str  # GB 3304 code
    address: str
    id_last4: str
    valid_to: date | None
    long_term: bool


def remember(cred: Credential, id_key: bytes, now: datetime) -> None:
    """Keep (or refresh) an unregistered ID card's fields."""
    fields = dict(
        id_last4=ids.last4(cred.id_number),
        at=now,
        card_type=cred.card_type or "resident",
        name=cred.name,
        name_flagged=cred.name_flagged,
        gender=cred.gender,
        birth_date=cred.birth_date,
        nation=cred.nation,
        address=cred.address,
        valid_to=cred.valid_to,
        long_term=cred.long_term,
    )
    with write():
        _purge(now)
        (
            NewcomerCard.insert(id_hash=ids.id_hash(cred.id_number, id_key), **fields)
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
            c.birth_date,
            c.nation,
            c.address,
            c.id_last4,
            c.valid_to,
            c.long_term,
        )
        for c in NewcomerCard.select().where(NewcomerCard.at >= now - KEEP).order_by(NewcomerCard.at.desc())
    ]
