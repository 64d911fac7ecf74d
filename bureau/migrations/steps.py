"""The data steps of versions that SQL cannot do: each runs in its version's transaction, right
after the version's script (bureau.migrations._apply), on the connection it is given (the models
may not be bound yet).  A step changes rows, never the schema."""

import json
from collections.abc import Callable

from peewee import Database

from bureau import streams
from bureau.store import utcnow
from contract import idhash

# What the members stream no longer carries (version 4).
_DROPPED = ("birth_year", "id_last4")


def slow_id_hashes(database: Database) -> None:
    """Version 4: every id_hash the slow derivation of the HMAC it was (contract.idhash); every
    member published again, in full to its own site's kiosks only, and to every kiosk as a card."""
    q = database.param
    rows = database.execute_sql('SELECT "id", "id_hash" FROM "member" WHERE "id_hash" IS NOT NULL').fetchall()
    legacy = [(pk, value) for pk, value in rows if idhash.is_legacy(value)]
    upgraded = dict(zip((value for _, value in legacy), idhash.upgraded_all([value for _, value in legacy])))
    for pk, value in legacy:
        database.execute_sql(f'UPDATE "member" SET "id_hash" = {q} WHERE "id" = {q}', (upgraded[value], pk))
    published = database.execute_sql(_PUBLISHED).fetchall()
    if not published:
        return
    head = dict(database.execute_sql(_HEADS).fetchall())
    for entity, text in published:
        member = {k: v for k, v in json.loads(text).items() if k not in _DROPPED}
        # A row published before version 3 has no card_issue: no card of the member was reissued since.
        member.setdefault("card_issue", 1)
        if member.get("id_hash"):
            member["id_hash"] = upgraded.get(member["id_hash"]) or idhash.upgraded(member["id_hash"])
        for stream, data, scope in (
            ("members", member, streams.member_scope(member)),
            ("cards", streams.card_of(member), ""),
        ):
            head[stream] += 1
            value = streams.canonical(data)
            row = (stream, entity, head[stream], scope, value, streams.crc(entity, value), utcnow())
            database.execute_sql(_UPSERT.format(q=q), row)
    for stream, rev in head.items():
        database.execute_sql(f'UPDATE "stream_meta" SET "head_rev" = {q} WHERE "stream" = {q}', (rev, stream))


_PUBLISHED = """
    SELECT "entity_id", "data" FROM "stream_row" WHERE "stream" = 'members' AND NOT "deleted" ORDER BY "rev"
"""
_HEADS = """SELECT "stream", "head_rev" FROM "stream_meta" WHERE "stream" IN ('members', 'cards')"""
_UPSERT = """
    INSERT INTO "stream_row" ("stream", "entity_id", "rev", "scope", "deleted", "data", "crc", "changed_at")
    VALUES ({q}, {q}, {q}, {q}, FALSE, {q}, {q}, {q})
    ON CONFLICT ("stream", "entity_id") DO UPDATE SET "rev" = excluded."rev", "scope" = excluded."scope",
        "deleted" = FALSE, "data" = excluded."data", "crc" = excluded."crc", "changed_at" = excluded."changed_at"
"""


def member_initials(database: Database) -> None:
    """Version 6: the pinyin initials of every member's name, for the console's search (the rules
    write them from then on, bureau/rules/rounds.py)."""
    from bureau.programme.members import initials  # pypinyin, loaded only when a store upgrades

    q = database.param
    for pk, name in database.execute_sql('SELECT "id", "name" FROM "member"').fetchall():
        database.execute_sql(f'UPDATE "member" SET "initials" = {q} WHERE "id" = {q}', (initials(name or ""), pk))


STEPS: dict[int, Callable[[Database], None]] = {4: slow_id_hashes, 6: member_initials}
