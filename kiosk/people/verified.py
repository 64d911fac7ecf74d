"""Names read from an ID card: a member registered from the card (member.register), or whose name
staff put right from the card itself (member.update, reason required).  The audit trail is where
that is written down; a member's name is card-verified while it is still one of those names."""

import json

from peewee import chunked

from kiosk.identity.credentials import FLAGGED
from kiosk.store.models import Audit

_FROM_CARD = ("member.register", "member.update")


def card_names(member_nos: list[str]) -> dict[str, set[str]]:
    """member_no → the names this kiosk took from the member's ID card."""
    found: dict[str, set[str]] = {}
    for batch in chunked(sorted(set(member_nos)), 500):
        targets = [f"member {no}" for no in batch]
        for entry in Audit.select().where(Audit.action.in_(_FROM_CARD), Audit.target.in_(targets)):
            values = json.loads(entry.detail)
            name = values.get("name") if entry.action == "member.register" else values.get("after", {}).get("name")
            if name:
                found.setdefault(entry.target.removeprefix("member "), set()).add(name)
    return found


def only_fills_in(card_name: str, name: str) -> bool:
    """True when `name` is `card_name` with its 「□」 (characters the card could not give) filled
    in: putting those right is what a roster import is for."""
    return (
        FLAGGED in card_name
        and len(name) == len(card_name)
        and all(a == b or a == FLAGGED for a, b in zip(card_name, name))
    )
