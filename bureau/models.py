"""The bureau's tables: sites, their kiosks, the facts kiosks pushed, and what was refused.

The same models serve SQLite and PostgreSQL; times are UTC without a zone (store.utcnow()).
"""
from peewee import (BigIntegerField, BooleanField, CharField, DateTimeField, ForeignKeyField,
                    IntegerField, Model, TextField, UUIDField)

from bureau.store import db, utcnow


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Site(BaseModel):
    code = CharField(max_length=32, unique=True)     # e.g. DEMO-001, as in a kiosk's [site] code
    name = CharField()


class Kiosk(BaseModel):
    kiosk_id = CharField(max_length=64, unique=True)   # e.g. DEMO-001-K01, the kiosk's X-Kiosk
    site = ForeignKeyField(Site, backref="kiosks")
    name = CharField(default="")
    # The bureau holds the key itself (64 hex digits): an HMAC is checked with the key it was
    # made with.  After a rotation the old key is still accepted until old_key_until.
    key = CharField(max_length=64)
    old_key = CharField(max_length=64, null=True)
    old_key_until = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    # The kiosk's numbering: seqs are gap-free within an epoch; a restored or reinstalled kiosk
    # starts a new epoch (POST /v1/epoch).  acked_seq is the last seq the bureau holds.
    epoch = IntegerField(default=1)
    acked_seq = BigIntegerField(default=0)
    last_seen = DateTimeField(null=True)
    client_version = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)


class Event(BaseModel):
    """A fact a kiosk pushed (kiosk/facts.py), stored once by its event_id."""
    event_id = UUIDField(unique=True)
    kiosk = ForeignKeyField(Kiosk, backref="events", index=False)   # (kiosk, epoch, seq) indexes it
    epoch = IntegerField()
    seq = BigIntegerField()
    site = ForeignKeyField(Site, backref="events")
    kind = CharField(max_length=32)
    schema_v = IntegerField()
    wall_ms = BigIntegerField()                 # the kiosk's clock when the fact was written
    received_at = DateTimeField()
    skew_ms = BigIntegerField()                 # wall_ms minus the bureau's clock on arrival
    skewed = BooleanField(default=False)        # |skew_ms| > 5 min (ingest.SKEW_FLAG_MS): the kiosk clock is off
    payload = TextField()                       # the fact's JSON object

    class Meta:
        indexes = ((("kiosk", "epoch", "seq"), True),)


class EventReject(BaseModel):
    """A fact refused on its own (dead-lettered): acknowledged to the kiosk, kept here for staff."""
    event_id = CharField(max_length=64, unique=True)    # as sent: it may not even be a UUID
    kiosk = ForeignKeyField(Kiosk, backref="rejects", index=False)
    epoch = IntegerField()
    seq = BigIntegerField()
    code = CharField(max_length=32)             # invalid, wrong_site
    reason = TextField()
    payload = TextField()                       # the whole event as sent, JSON
    received_at = DateTimeField()

    class Meta:
        indexes = ((("kiosk", "epoch", "seq"), False),)


class Nonce(BaseModel):
    """Nonces seen in signed requests: a request replayed within the window is refused."""
    kiosk = ForeignKeyField(Kiosk, backref="nonces", index=False)
    nonce = CharField(max_length=64)
    at = DateTimeField(index=True)

    class Meta:
        indexes = ((("kiosk", "nonce"), True),)


MODELS = [Site, Kiosk, Event, EventReject, Nonce]
