"""The payload of each kind of fact: its fields, their types and their bounds (docs/sync-protocol.md §10).

One parser for every side: the bureau's ingest refuses a fact whose payload does not parse
(bureau/ingest.py), the bureau's rules read payloads with it (bureau/rules/cursors.py), and the
kiosk checks what it sends (kiosk/sync/push.py).  Numbers are bounded, so no payload can hold a
5,000-digit integer or a sum that overflows a column; texts are bounded and free of control
characters, so none can carry a terminal escape; times are real times within TIME_RANGE.

Fields a newer kiosk adds are ignored (msgspec skips unknown fields without building them).
Every kind carries `at` and the origin fields (kiosk_id, site, staff, staff_id) optionally; the
fields the bureau's rules need are required for the kinds they act on.
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeAlias, get_args

import msgspec
from msgspec import Meta, Struct

from contract.facts import KINDS
from contract.points import AWARD_MAX, CATEGORIES, ENTRY_MAX

# C0 and C1 control characters (ESC, BEL, CSI …) would reach an operator's terminal; free text
# may still hold line breaks and tabs.  Checked once over all of a payload's texts (_check_texts):
# msgspec's pattern check of each field cost a push of 500 facts 8 ms.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

COUNT_MAX = 2**31 - 1  # a count (reads, a card issue, a kiosk's row id): a 32-bit column
TIME_RANGE = (datetime(1970, 1, 1), datetime(2200, 1, 1))  # a time outside it is no real time
YEAR_RANGE = (1880, 2200)  # birth years


# Texts: one line of at most so many characters, with no control character at all; free text
# (Reason) may hold line breaks and tabs.
MemberNo = Annotated[str, Meta(min_length=1, max_length=32)]
EventId = Annotated[str, Meta(min_length=1, max_length=64)]
Key = Annotated[str, Meta(min_length=1, max_length=64)]  # a device
Name = Annotated[str, Meta(max_length=255)]
Id = Annotated[str, Meta(max_length=64)]  # a kiosk id, an id hash, an action
Word = Annotated[str, Meta(max_length=32)]  # a kind, a state, a status, a site code
Tag = Annotated[str, Meta(min_length=1, max_length=32)]  # a Word that must be given
Short = Annotated[str, Meta(max_length=16)]  # a sign-in's method
Digits = Annotated[str, Meta(max_length=8)]  # last four digits
Reason = Annotated[str, Meta(max_length=2000)]
Count = Annotated[int, Meta(ge=0, le=COUNT_MAX)]
Json: TypeAlias = Any  # a detail only stored (before/after values, a schedule): JSON whose numbers fit 64 bits


class Payload(Struct, kw_only=True, frozen=True, gc=False):
    """What every kind may carry: when it happened (the kiosk's local time) and its origin."""

    at: datetime | None = None
    kiosk_id: Id | None = None
    site: Word | None = None
    staff: Name | Count | None = None  # the staff member's name (a sign-in by hand: their id)
    staff_id: Count | None = None

    def __post_init__(self) -> None:
        _check_texts(self)
        _check_times(self)
        for name in _DETAILS[type(self)]:
            _check_json(name, getattr(self, name))


class Signin(Payload, kw_only=True, frozen=True, gc=False):
    member_no: MemberNo
    kind: Annotated[str, Meta(min_length=1, max_length=16)]  # lesson, activity
    title: Name
    start: datetime
    at: datetime
    method: Short = ""  # qr, idcard, staff
    item_id: Count | None = None
    reason: Reason = ""


class Points(Payload, kw_only=True, frozen=True, gc=False):
    member_no: MemberNo
    amount: Annotated[int, Meta(ge=-ENTRY_MAX, le=ENTRY_MAX)]
    kind: Tag  # an award's category, volunteer, redeem, correction
    at: datetime
    rule: Name = ""
    rule_version: Count | None = None
    signin: EventId | None = None  # an award: the sign-in's event id
    reverses: EventId | None = None  # a correction: the event id of the entry it corrects
    reason: Reason = ""
    hours: Annotated[float, Meta(ge=0, le=24)] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind in CATEGORIES and not 0 <= self.amount <= AWARD_MAX:
            raise ValueError(f"an award of {self.amount} is not between 0 and {AWARD_MAX}")


class Member(Payload, kw_only=True, frozen=True, gc=False):
    member_no: MemberNo
    name: Name = ""
    gender: Name = ""
    birth_year: Annotated[int, Meta(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])] | None = None
    id_hash: Id | None = None
    id_last4: Digits = ""
    phone_last4: Digits = ""
    joined: date | None = None
    active: bool = True
    change: Word | None = None  # an import: created or updated


class MemberPrefs(Payload, kw_only=True, frozen=True, gc=False):
    member_no: MemberNo
    large_text: bool | None = None
    voice: bool | None = None


class Card(Payload, kw_only=True, frozen=True, gc=False):
    member_no: MemberNo
    card_issue: Count
    reason: Reason = ""


class Registration(Payload, kw_only=True, frozen=True, gc=False):
    member_no: MemberNo
    activity_id: Count | None = None
    title: Name = ""
    start: datetime | None = None
    status: Word = ""
    previous: Word | None = None
    promoted: bool = False
    key: Word | None = None  # the bureau's key of the activity (Activity.key), when it published it


class Enrollment(Payload, kw_only=True, frozen=True, gc=False):
    member_no: MemberNo
    course: Name = ""
    term: Name = ""
    status: Word = ""
    previous: Word | None = None
    promoted: bool = False


class Term(Payload, kw_only=True, frozen=True, gc=False):
    action: Word = ""
    name: Name = ""
    start: date | None = None
    end: date | None = None
    day: date | None = None
    holiday: Name | None = None
    previous: Json = None
    holidays_removed: Json = None


class Course(Payload, kw_only=True, frozen=True, gc=False):
    action: Word = ""
    change: Word = ""
    course_id: Count | None = None
    name: Name = ""
    teacher: Name = ""
    room: Name = ""
    capacity: Count | None = None
    category: Word = ""
    term: Name = ""
    slots: Json = None
    schedule: Json = None
    previous: Json = None


class LessonSpan(Struct, frozen=True, gc=False):
    """One lesson an import generated."""

    id: Count
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _check_times(self)


class Lesson(Payload, kw_only=True, frozen=True, gc=False):
    action: Word = ""
    change: Word = ""
    course_id: Count | None = None
    course: Name = ""
    term: Name = ""
    start: datetime | None = None
    end: datetime | None = None
    previous_start: datetime | None = None
    room: Name = ""
    cancelled: bool = False
    note: Reason = ""
    reason: Reason = ""
    lessons: list[LessonSpan] = []


class Staff(Payload, kw_only=True, frozen=True, gc=False):
    change: Word = ""
    local_id: Count | None = None
    name: Name = ""
    role: Word = ""
    active: bool = True
    reason: Reason = ""


class Audit(Payload, kw_only=True, frozen=True, gc=False):
    action: Id = ""
    target: Name = ""
    reason: Reason = ""
    detail: Json = None


class Device(Payload, kw_only=True, frozen=True, gc=False):
    device: Key
    state: Tag  # ok, silent, absent
    at: datetime
    kind: Word = ""  # idcard, qr
    port: Name | None = None
    reads: Count = 0
    faults: Count = 0
    disconnects: Count = 0
    last_error: Reason = ""


class Application(Payload, kw_only=True, frozen=True, gc=False):
    """A senior's application for a course of an enrolment season (报名季), or its withdrawal
    before the draw (docs/enrolment.md).  No birth date travels: the kiosk checked the age range
    from the ID card it read, and says only that it did."""

    member_no: MemberNo
    season: Tag  # the bureau's Season.key
    course: Tag  # the bureau's Course.key
    action: Tag  # apply, withdraw
    at: datetime
    age_checked: bool = False  # an ID card was read and the age was within the course's range
    older: bool = False  # an ID card was read and the senior is at least the season's older_first then
    reason: Reason = ""  # staff applying for a senior who brought a relative's card: why


class Redemption(Payload, kw_only=True, frozen=True, gc=False):
    """A senior's request for an item of the points catalogue, staff handing it over, or either
    cancelled (docs/points.md).  The points move as a `points` fact of kind redeem (and its
    correction), never here: this says what was asked for and where it stands."""

    member_no: MemberNo
    item: Tag  # the bureau's CatalogueItem.key
    request: EventId  # the event_id of the request this concerns (the request's own for a request)
    action: Tag  # request, handover, cancel
    at: datetime
    points: Count = 0  # the price when asked
    entry: EventId | None = None  # handover: the redeem `points` fact's event_id; a cancel after it: the correction's
    reason: Reason = ""


SCHEMAS: dict[str, type[Payload]] = {
    "signin": Signin,
    "points": Points,
    "member": Member,
    "member_prefs": MemberPrefs,
    "card": Card,
    "registration": Registration,
    "enrollment": Enrollment,
    "term": Term,
    "course": Course,
    "lesson": Lesson,
    "staff": Staff,
    "audit": Audit,
    "device": Device,
    "application": Application,
    "redemption": Redemption,
}
assert SCHEMAS.keys() == KINDS, "a payload schema for each kind of fact"


def _times_of(schema: type[Struct]) -> tuple[str, ...]:
    """The fields of `schema` that hold a date or a time."""
    return tuple(f.name for f in msgspec.structs.fields(schema) if {date, datetime} & {f.type, *get_args(f.type)})


def _flat(kind: object) -> set:
    """A field's type and every type it is made of (a union's members, an Annotated's base)."""
    return {kind, *(t for arg in get_args(kind) for t in _flat(arg))}


def _texts_of(schema: type[Struct]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields of `schema` that hold a text: one-line ones, and free text (Reason)."""
    fields = [f for f in msgspec.structs.fields(schema) if str in _flat(f.type)]
    return tuple(f.name for f in fields if Reason not in _flat(f.type)), tuple(
        f.name for f in fields if Reason in _flat(f.type)
    )


_TIMED: list[type[Struct]] = [LessonSpan, *SCHEMAS.values()]
_TIMES = {schema: _times_of(schema) for schema in _TIMED}
_TEXTS = {schema: _texts_of(schema) for schema in SCHEMAS.values()}
_DETAILS = {schema: tuple(f.name for f in msgspec.structs.fields(schema) if f.type is Any) for schema in _TIMED}


def _check_texts(payload: Payload) -> None:
    """ValueError naming a text field that holds a control character (free text: but a line break
    or a tab).  One search over all of them; the field is looked for only when one is found."""
    lines, free = _TEXTS[type(payload)]
    get = payload.__getattribute__
    if _CONTROL.search("".join([v for v in map(get, lines) if v.__class__ is str])) or (
        free and _CONTROL_BUT_LINES.search("".join(map(get, free)))
    ):
        for name in lines + free:
            value, control = get(name), _CONTROL if name in lines else _CONTROL_BUT_LINES
            if value.__class__ is str and control.search(value):
                raise ValueError(f"{name} holds a control character")


def _check_times(payload: Struct) -> None:
    """ValueError for a date or time outside TIME_RANGE: no real time, and a sum with it could
    leave the years a datetime holds."""
    for name in _TIMES[type(payload)]:
        value = getattr(payload, name)
        if value is None:
            continue
        day = value.date() if isinstance(value, datetime) else value
        if not TIME_RANGE[0].date() <= day < TIME_RANGE[1].date():
            raise ValueError(f"{name} {value.isoformat()} is not between {TIME_RANGE[0].year} and {TIME_RANGE[1].year}")


def _check_json(name: str, value: object) -> None:
    """ValueError for a number in a stored detail that does not fit 64 bits (msgspec parses one of
    up to ~4,000 digits into a Python int)."""
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise ValueError(f"{name} holds a number out of range")
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        _check_json(name, item)


_DECODERS: dict[str, Callable[[bytes | str], Payload]] = {
    kind: msgspec.json.Decoder(schema).decode for kind, schema in SCHEMAS.items()
}


class PayloadError(ValueError):
    """A payload that does not fit its kind's schema; the message says where and why."""


def parse(kind: str, payload: bytes | str) -> Payload:
    """The payload (JSON text) of a fact of `kind`, parsed and checked, or PayloadError."""
    try:
        return _DECODERS[kind](payload)
    except KeyError:
        raise PayloadError(f"unknown kind {kind[:40]!r}") from None
    except msgspec.ValidationError as e:
        raise PayloadError(str(e)) from None
    except msgspec.DecodeError as e:
        raise PayloadError(f"not JSON: {e}") from None
    except RecursionError:
        raise PayloadError("nested too deeply") from None
