"""The fields of a fact's payload as the rules read them: each checked for its type and length,
or BadFact, which skips the fact with a warning (it stays in Event for staff)."""

from datetime import date, datetime


class BadFact(ValueError):
    """A fact the rules cannot use (a field missing or of the wrong type): logged and skipped."""


_MISSING = object()


def member_of(fact) -> str | None:
    no = fact.payload.get("member_no") if fact.kind in ("member", "signin", "points") else None
    return no if isinstance(no, str) else None


def text_field(p: dict, name: str, longest: int, default=_MISSING):
    value = p.get(name)
    if value is None and default is not _MISSING:
        return default
    if not isinstance(value, str) or not value and default is _MISSING or len(value) > longest:
        raise BadFact(f"{name}: a text of at most {longest} characters is needed, not {str(value)[:40]!r}")
    if "\x00" in value:  # PostgreSQL refuses it in text: the round would fail on every try
        raise BadFact(f"{name}: a NUL character")
    return value


def int_field(p: dict, name: str, default=None) -> int | None:
    value = p.get(name)
    if value is None:
        return default
    if type(value) is not int or abs(value) > 2**31 - 1:
        raise BadFact(f"{name}: a whole number is needed, not {str(value)[:40]!r}")
    return value


def bool_field(p: dict, name: str, default: bool) -> bool:
    value = p.get(name, default)
    if not isinstance(value, bool | int):
        raise BadFact(f"{name}: true or false is needed, not {str(value)[:40]!r}")
    return bool(value)


def datetime_field(p: dict, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(p[name])
    except (KeyError, TypeError, ValueError):
        raise BadFact(f"{name}: an ISO date and time is needed, not {str(p.get(name))[:40]!r}") from None
    return value.replace(tzinfo=None)  # kiosk local time, as it wrote it


def date_field(p: dict, name: str) -> date | None:
    if p.get(name) is None:
        return None
    try:
        return date.fromisoformat(p[name])
    except (TypeError, ValueError):
        raise BadFact(f"{name}: an ISO date is needed, not {str(p.get(name))[:40]!r}") from None
