"""The facts a kiosk pushes to the bureau: their kinds, their schema version and the push body.

One definition of the wire format: the kiosk encodes a push with these structs
(kiosk/sync/push.py) and the bureau decodes and checks it with the same ones (bureau/ingest.py).
A payload travels as the JSON text the kiosk stored in its outbox (msgspec.Raw): spliced into the
body as it is, and kept by the bureau as it was sent; contract/payloads.py says what each kind's
payload holds.  docs/sync-protocol.md §5.1 describes the
fields, §10 the kinds.
"""

from typing import Annotated, Any, Literal, get_args

from msgspec import Meta, Raw, Struct

SchemaV = Literal[1]
SCHEMA_V: int = get_args(SchemaV)[0]
# Every kind of fact a kiosk writes (kiosk/store/facts.py refuses any other).
Kind = Literal[
    "signin", "points", "registration", "enrollment", "member", "member_prefs", "card", "course", "lesson",
    "term", "staff", "audit", "device", "application", "redemption",
]  # fmt: skip
KINDS = frozenset(get_args(Kind))
MAX_EVENTS = 500  # facts in one push
MAX_ID = 64  # longest event_id or client_version
BIG = 2**62  # a seq fits a BIGINT with room to spare
# A kiosk's clock in unix ms (wall_ms, sent_ms): from 1970 to 2200.  A clock past that is no
# clock, and a skew computed from it could leave the years a datetime holds.
MS_MAX = 7_258_118_400_000

# gc=False: parsed JSON holds no cycles, and 500 facts the collector need not track are a fifth
# less CPU to parse (bench/sync.py).


class Fact(Struct, frozen=True, gc=False):
    """One outbox row as pushed."""

    event_id: Annotated[str, Meta(min_length=1, max_length=MAX_ID)]
    seq: int
    kind: str
    schema_v: Any  # a wrong one refuses the fact, not the batch
    wall_ms: Annotated[int, Meta(ge=0, le=MS_MAX)]
    payload: Raw


class KnownFact(Fact, frozen=True, gc=False):
    """A fact whose kind and schema_v are as this version of the kiosk writes them."""

    kind: Kind
    schema_v: SchemaV


class Push(Struct):
    """POST /v1/push: contiguous facts first_seq..last_seq of the kiosk's outbox."""

    kiosk_id: str
    epoch: Annotated[int, Meta(ge=1, le=2**31 - 1)]
    first_seq: Annotated[int, Meta(ge=1, le=BIG)]
    last_seq: Annotated[int, Meta(ge=1, le=BIG)]
    client_version: Annotated[str, Meta(max_length=MAX_ID)]
    events: Annotated[list[Fact], Meta(min_length=1)]
    head_seq: Annotated[int, Meta(le=BIG)] | None = None  # the newest seq in the outbox: the backlog
    sent_ms: Annotated[int, Meta(ge=0, le=MS_MAX)] | None = None  # the kiosk's clock as it sent


class KnownPush(Push):
    # msgspec checks each fact as the narrower KnownFact; to mypy a list is invariant.
    events: Annotated[list[KnownFact], Meta(min_length=1)]  # type: ignore[assignment]
