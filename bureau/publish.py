"""What bureau staff publish for the kiosks to pull: points rules, activities, courses, settings.

Each function checks what it is given (PublishError says what is wrong) and then changes its
stream in one write() transaction (bureau/streams.py), with its audit entry: `by` is the console's
account that asked (None: the operator at this terminal, cli:<os user>), `reason` their words.
The CLI (bureau/__main__.py) prints what these return.

    set_rule("lesson", 2, daily_cap=4)                         rules "lesson", the next version
    publish_activity("重阳节游园", "2026-10-18 09:00", "2026-10-18 11:30", site="DEMO-001")
    publish_course("DEMO-001", "太极拳（二）班", "2026 秋季", "2026-09-01", "2027-01-15", ["1 09:00-11:00"])
    set_settings(["display.mask_names=false"], kiosk="DEMO-001-K01")
"""

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from bureau import admin, audit, streams
from bureau.admin import AdminError
from bureau.models import Activity, Kiosk, Site, StreamRow, Term
from bureau.programme import activities, classes
from bureau.store import write
from contract.points import CATEGORIES, PER

ACTIVITY_CATEGORIES = tuple(activities.CATEGORIES)
WITHDRAWN = "主办方已取消"  # the reason kiosks tell when the CLI withdraws an activity
NEW_RULE = {"per": "attendance", "daily_cap": 0, "once_per_item": True, "version": 0}
HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
WEEKLY = re.compile(r"([1-7]) (\d\d:\d\d)-(\d\d:\d\d)")


class PublishError(AdminError):
    """Something staff asked to publish that kiosks could not use (the message says why).  An
    AdminError, so the CLI refuses it as it refuses the other operator's mistakes."""


# --- points rules --------------------------------------------------------------------------------


def set_rule(
    category: str,
    points: int,
    per: str | None = None,
    daily_cap: int | None = None,
    once_per_item: bool | None = None,
    by: str | None = None,
    reason: str = "",
) -> dict:
    """Publish the points rule of `category`, one version after the current one; what is not
    given stays as the current version has it (a new rule: per attendance, no cap, once per item)."""
    _choice("rule category", category, CATEGORIES)
    _at_least("points", points, 0)
    with write():
        streams.lock("rules")
        previous = _data(streams.current("rules", category)) or NEW_RULE
        rule = {
            "category": category,
            "points": points,
            "per": previous["per"] if per is None else per,
            "daily_cap": previous["daily_cap"] if daily_cap is None else daily_cap,
            "once_per_item": previous["once_per_item"] if once_per_item is None else once_per_item,
            "version": previous["version"] + 1,
        }
        _choice("--per", rule["per"], PER)
        _at_least("the daily cap", rule["daily_cap"], 0)
        streams.publish("rules", category, rule)
        audit.record(by or audit.operator(), "rule.set", category, None, rule, reason)
    return rule


def rules() -> list[dict]:
    return sorted((streams.data(row) for row in streams.rows("rules")), key=lambda r: r["category"])


# --- activities and courses ------------------------------------------------------------------------


def publish_activity(
    title: str,
    start: str,
    end: str,
    site: str | None = None,
    place: str = "",
    category: str = "activity",
    capacity: int = 0,
    open_to_all: bool = False,
    points: int | None = None,
    by: str | None = None,
) -> str:
    """Publish a new activity, for one site's kiosks or (no site) every kiosk; returns its key.
    It is an Activity row like the console's (bureau.programme.activities), audited as the CLI's."""
    begins, ends = _moment("--start", start), _moment("--end", end)
    if ends <= begins:
        raise PublishError(f"the activity ends ({ends:%Y-%m-%d %H:%M}) before it starts ({begins:%Y-%m-%d %H:%M})")
    _choice("activity category", category, ACTIVITY_CATEGORIES)
    _at_least("capacity", capacity, 0)
    if points is not None:
        _at_least("points", points, 0)
    draft = activities.Draft(
        _text("title", title), begins, ends, category, place.strip(), capacity, open=open_to_all, points=points
    )
    with write():
        where = admin.find_site(site, PublishError) if site else None
        try:
            (made,) = activities.create(draft, [where], by or audit.operator())
        except activities.ActivityError as e:
            raise PublishError(str(e)) from None
    return made.key


def publish_course(
    site: str,
    title: str,
    term_name: str,
    term_start: str,
    term_end: str,
    weekly: list[str],
    teacher: str = "",
    room: str = "",
    capacity: int = 0,
    category: str = "lesson",
    by: str | None = None,
) -> str:
    """Publish a new course of one site, with its term and weekly times; returns its key."""
    first, last = _day("--term-start", term_start), _day("--term-end", term_end)
    if last < first:
        raise PublishError(f"the term ends ({last}) before it starts ({first})")
    if not weekly:
        raise PublishError('a course needs at least one --weekly time, e.g. "1 09:00-11:00"')
    _at_least("capacity", capacity, 0)
    fields = classes.CourseFields(
        title=_text("title", title),
        category=_text("category", category),
        teacher=teacher,
        room=room,
        capacity=capacity,
        schedule=tuple(_slot(text) for text in weekly),
    )
    name = _text("term name", term_name)
    # The course is the console's too (bureau/programme/classes.py): a row of its site's term.
    user = by or audit.operator()  # classes.py audits the term and the course
    with write():
        place = admin.find_site(site, PublishError)
        term = Term.get_or_none(Term.site == place, Term.name == name)
        try:
            if term is None or (term.start, term.end) != (first, last):
                term = classes.save_term(place, name, first, last, user, term)
            return classes.save_course(place, term, fields, user).key
        except classes.ClassError as e:
            raise PublishError(str(e)) from None


def items(kind: str) -> list[tuple[str, dict]]:
    """(scope, data) of the published activities (not cancelled) or courses, earliest first."""
    found = [(row.scope, streams.data(row)) for row in streams.rows("items") if row.entity_id.startswith(f"{kind}:")]
    found = [(scope, data) for scope, data in found if not data.get("cancelled")]
    return sorted(found, key=lambda f: (f[1].get("start") or f[1]["term"]["start"], f[1]["title"]))


def withdraw_activity(key: str, by: str | None = None, reason: str = WITHDRAWN) -> None:
    """Cancel an activity: it stays published with cancelled=true, so kiosks tell the seniors who
    registered for it (and the same kiosks that had it keep it)."""
    with write():
        activity = Activity.get_or_none(Activity.key == key)
        if activity is None or activity.cancelled_at is not None:
            raise PublishError(f"no published activity {key!r} (python -m bureau activity list)")
        activities.cancel(activity, reason, by or audit.operator(), datetime.now().replace(microsecond=0))


# --- kiosk settings ----------------------------------------------------------------------------------


def _minutes(v: int) -> bool:
    return 0 <= v <= 24 * 60


# The settings the bureau may set, with the kind of value and its limits (as kiosk/config.py checks).
SETTINGS: dict[str, tuple[type, Callable]] = {
    "display.mask_names": (bool, lambda v: True),
    "display.open_from": (str, lambda v: HHMM.fullmatch(v) is not None),
    "display.open_until": (str, lambda v: HHMM.fullmatch(v) is not None),
    "sync.pull_every_s": (int, lambda v: 10 <= v <= 86400),
    "sync.nightly_at": (str, lambda v: HHMM.fullmatch(v) is not None),
    "checkin.window_before_min": (int, _minutes),
    "checkin.window_after_min": (int, _minutes),
}


def set_settings(
    assignments: list[str],
    site: str | None = None,
    kiosk: str | None = None,
    by: str | None = None,
    reason: str = "",
) -> tuple[str, dict]:
    """Set `key=value`s for every kiosk, one site's or one kiosk's (added to what that level already
    has); returns the level's entity id and all its settings."""
    if not assignments:
        raise PublishError("nothing to set: give key=value, e.g. display.mask_names=false")
    return apply_settings(dict(_setting(text) for text in assignments), site, kiosk, by, reason)


def apply_settings(
    values: dict, site: str | None = None, kiosk: str | None = None, by: str | None = None, reason: str = ""
) -> tuple[str, dict]:
    """set_settings with the values already typed and checked (check_setting), as the console has them."""
    if site and kiosk:
        raise PublishError("settings are for every kiosk, one --site or one --kiosk, not both")
    with write():
        where = None
        if site:
            where = admin.find_site(site, PublishError)
            entity, scope = f"site:{where.code}", f"site:{where.code}"
        elif kiosk:
            found = _kiosk(kiosk)
            where, entity, scope = found.site, found.kiosk_id, f"kiosk:{found.kiosk_id}"
        else:
            entity, scope = "*", ""
        streams.lock("settings")
        merged = {**(_data(streams.current("settings", entity)) or {}), **values}
        streams.publish("settings", entity, merged, scope)
        audit.record(by or audit.operator(), "settings.set", entity, where, values, reason)
    return entity, merged


def settings() -> list[tuple[str, dict]]:
    """(entity id, settings) of every level that has any: every kiosk's first, then sites, kiosks."""
    order = {"": 0, "site": 1, "kiosk": 2}
    found = [(row.scope, row.entity_id, streams.data(row)) for row in streams.rows("settings")]
    found.sort(key=lambda f: (order[f[0].partition(":")[0]], f[1]))
    return [(entity, data) for _, entity, data in found]


def _setting(text: str) -> tuple[str, object]:
    key, equals, value = text.partition("=")
    key, value = key.strip(), value.strip()
    if not equals or key not in SETTINGS:
        raise PublishError(f"{key or text!r} is not a setting the bureau sets ({', '.join(SETTINGS)})")
    typed = check_setting(key, value)
    if typed is None:
        raise PublishError(f"{key}={value!r}: not a valid value")
    return key, typed


def check_setting(key: str, value: str):
    """`value` of setting `key` as its kind, or None when kiosks could not use it."""
    kind, valid = SETTINGS[key]
    typed = _typed(kind, value)
    return typed if typed is not None and valid(typed) else None


def _typed(kind: type, value: str):
    """`value` as a `kind`, or None when it is not one."""
    if kind is bool:
        return {"true": True, "false": False}.get(value.lower())
    if kind is int:
        return int(value) if re.fullmatch(r"-?\d{1,9}", value) else None
    return value


# --- operator's stream commands ------------------------------------------------------------------------


def trim(days: float = streams.RETENTION.days) -> dict:
    if days < 0:
        raise PublishError("--days cannot be negative")
    return streams.trim(timedelta(days=days))


def reset(stream: str) -> str:
    if stream not in streams.STREAMS:
        raise PublishError(f"unknown stream {stream!r} (one of {', '.join(streams.STREAMS)})")
    return streams.reset(stream)


# --- checks ------------------------------------------------------------------------------------------


def _data(row: StreamRow | None) -> dict | None:
    return None if row is None or row.deleted else streams.data(row)


def _scope_site(scope: str) -> Site | None:
    """The site of a stream row's scope "site:<code>" (None: every kiosk's)."""
    kind, _, code = scope.partition(":")
    return Site.get_or_none(Site.code == code) if kind == "site" else None


def _kiosk(kiosk_id: str) -> Kiosk:
    kiosk = Kiosk.get_or_none(Kiosk.kiosk_id == kiosk_id)
    if kiosk is None:
        raise PublishError(f"unknown kiosk {kiosk_id!r} (python -m bureau kiosk list)")
    return kiosk


def _choice(what: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise PublishError(f"unknown {what} {value!r} (one of {', '.join(choices)})")


def _at_least(what: str, value: int, least: int) -> None:
    if value < least:
        raise PublishError(f"{what} must be at least {least}, not {value}")


def _text(what: str, value: str) -> str:
    if not value.strip():
        raise PublishError(f"the {what} cannot be empty")
    return value.strip()


def _moment(what: str, text: str) -> datetime:
    """A local date and time such as 2026-12-01 09:00."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise PublishError(f"{what} {text!r}: not a date and time like 2026-12-01 09:00") from None
    if moment.tzinfo is not None:
        raise PublishError(f"{what} {text!r}: give the local time, without a zone")
    return moment.replace(microsecond=0)


def _day(what: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PublishError(f"{what} {text!r}: not a date like 2026-09-01") from None


def _slot(text: str) -> dict:
    """ "1 09:00-11:00" (Monday 9 to 11) as a schedule entry."""
    match = WEEKLY.fullmatch(text.strip())
    if not match or not HHMM.fullmatch(match[2]) or not HHMM.fullmatch(match[3]) or match[3] <= match[2]:
        raise PublishError(f'--weekly {text!r}: a weekday 1-7 and a time, e.g. "1 09:00-11:00"')
    return {"weekday": int(match[1]), "start": match[2], "end": match[3]}
