"""What the bureau publishes, applied to the kiosk's own tables: one pulled item at a time, inside
the write transaction of its page (kiosk.sync.pull).

Idempotent: table `pulled` keeps the rev each entity was applied at, and an item not newer than
that is ignored, so a page applied twice, or an old value arriving late, changes nothing.  A
delete ("op": "delete", data None) goes through the same functions: what it means depends on the
stream (a member is deactivated, never deleted: sign-ins reference it).  Nothing here writes to
the outbox: what the bureau sent is not a fact of this kiosk.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from peewee import IntegrityError

from contract import points
from kiosk import pinyin
from kiosk.people.search import initials
from kiosk.programme.schedule import WINDOW_MAX, lesson_times
from kiosk.store.db import db, get_by
from kiosk.store.models import (
    Activity,
    BureauSetting,
    CatalogueItem,
    CatalogueMove,
    Course,
    DrawResult,
    Enrollment,
    Holiday,
    Lesson,
    Member,
    Notice,
    Organisation,
    OrgMember,
    PointsEntry,
    PointsRule,
    Pulled,
    Registration,
    Season,
    SignIn,
    Site,
    Term,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Here:
    """What applying needs to know of this kiosk: items are for its site; lessons after `now`."""

    site: str
    kiosk_id: str
    now: datetime


class Unapplied(Exception):
    """An item this kiosk cannot apply (yet): left out of `pulled`, so the nightly checksum differs
    and the stream is fetched again then."""


def ready(stream: str) -> None:
    """Load what applying `stream` needs before its write transaction begins: pypinyin, for the
    members' initials, takes ~0.2 s to load, which the check-in would otherwise wait for."""
    if stream == "members":
        pinyin.load()


def item(stream: str, entry: dict, here: Here) -> bool:
    """Apply one item of a page ({rev, id, op, data, crc}); False when it was not newer than what
    this kiosk holds, or could not be applied.  Call inside the page's write transaction."""
    entity, rev = entry["id"], int(entry["rev"])
    held = Pulled.get_or_none(Pulled.stream == stream, Pulled.entity_id == entity)
    if held is not None and rev <= held.rev:
        return False
    data = entry["data"] if entry["op"] == "put" else None
    try:
        with db.atomic():  # a savepoint: an item refused leaves nothing half done
            APPLY[stream](entity, data, here)
    except Unapplied as e:
        log.warning("%s %s not applied: %s", stream, entity, e)
        return False
    except (KeyError, TypeError, ValueError, IntegrityError) as e:  # a value this kiosk cannot take
        log.warning("%s %s not applied: %s %s", stream, entity, type(e).__name__, e)
        return False
    (
        Pulled.insert(stream=stream, entity_id=entity, rev=rev, crc=int(entry["crc"]), deleted=data is None)
        .on_conflict(
            conflict_target=[Pulled.stream, Pulled.entity_id], preserve=[Pulled.rev, Pulled.crc, Pulled.deleted]
        )
        .execute()
    )
    return True


def forget(stream: str, entity: str, here: Here) -> None:
    """An entity the bureau's snapshot no longer has: as if it had been deleted there."""
    APPLY[stream](entity, None, here)


# -- sites ----------------------------------------------------------------------------------------


def site(code: str, data: dict | None, here: Here) -> None:
    if data is None:
        return  # members, terms and staff still belong to it
    (Site.insert(code=code, name=data["name"]).on_conflict(conflict_target=[Site.code], preserve=[Site.name]).execute())


def _site(code: str) -> Site:
    """The site of `code`, made with its code as name if the sites stream has not brought it yet."""
    found = get_by(Site, "code", code)
    return found if found is not None else Site.create(code=code, name=code)


# -- members --------------------------------------------------------------------------------------


def member(member_no: str, data: dict | None, here: Here) -> None:
    """The "members" stream: this site's members in full (docs/sync-protocol.md §6.1).  A delete, or
    a member the snapshot no longer has (it belongs to another site now), keeps only what the
    "cards" stream gives: the personal fields are cleared."""
    if data is None:
        Member.update(**_PERSONAL).where(Member.member_no == member_no).execute()
        return
    fields = {
        "name": data["name"],
        "gender": data.get("gender") or "",
        "phone_last4": data.get("phone_last4") or "",
        "site": _site(data["site"]),
        "joined": _day(data.get("joined")),
        "points_confirmed": int(data.get("balance") or 0),
        "initials": initials(data["name"]),
    }
    found = get_by(Member, "member_no", member_no)
    if found is None:
        Member.create(member_no=member_no, **fields)
    else:
        Member.update(**fields).where(Member.id == found.id).execute()
    card(member_no, data, here)


def card(member_no: str, data: dict | None, here: Here) -> None:
    """The "cards" stream: every member of the bureau as far as a card read needs it, so a senior
    visiting from another site signs in here.  Upsert by member_no; a member of another site is
    made with no name.  A member the bureau merged into another (a second registration of the
    same person) loses its id_hash, which is unique here, and its rows move to the first one."""
    if data is None:
        Member.update(active=False).where(Member.member_no == member_no).execute()
        return
    alias_of = data.get("merged_into") or None
    id_hash = None if alias_of else (data.get("id_hash") or None)
    if id_hash:
        # The same person registered again elsewhere: the bureau keeps the first number it received,
        # which is this one, and will merge the other when its fact arrives.
        other = Member.get_or_none(Member.id_hash == id_hash, Member.member_no != member_no)
        if other is not None:
            Member.update(id_hash=None, active=False, merged_into=member_no).where(Member.id == other.id).execute()
    fields = {
        "id_hash": id_hash,
        "site": _site(data["site"]),
        "active": bool(data.get("active", True)) and alias_of is None,
        "merged_into": alias_of,
    }
    found = get_by(Member, "member_no", member_no)
    # A card reissued at any kiosk revokes the older ones here too; a card this kiosk issued
    # since (its fact not yet applied by the bureau) is never taken back.
    issue = max(int(data.get("card_issue") or 1), found.card_issue if found else 1)
    if found is None:
        found = Member.create(member_no=member_no, name="", card_issue=issue, **fields)
    else:
        Member.update(card_issue=issue, **fields).where(Member.id == found.id).execute()
    if alias_of:
        _repoint(found.id, alias_of)
    for alias in Member.select(Member.id).where(Member.merged_into == member_no):
        _repoint(alias.id, member_no)


# What a member of another site does not keep here.
_PERSONAL = {"name": "", "initials": "", "gender": "", "phone": "", "phone_last4": "", "nation": "", "joined": None}


def _repoint(alias_id: int, canonical_no: str) -> None:
    """Move the alias's sign-ins, points, enrollments and registrations to the canonical member,
    except those the canonical member already has (a unique index): they stay on the alias."""
    canonical = get_by(Member, "member_no", canonical_no)
    if canonical is None or canonical.id == alias_id:
        return  # it comes later in the stream; applying it re-points then
    for sql in _REPOINT:
        db.execute_sql(sql, {"alias": alias_id, "canonical": canonical.id})


def canonical(found: Member | None) -> Member | None:
    """The member a merged one was merged into (itself otherwise)."""
    if found is not None and found.merged_into:
        return get_by(Member, "member_no", found.merged_into)
    return found


_REPOINT = [
    """UPDATE sign_in SET member_id = :canonical WHERE member_id = :alias AND NOT EXISTS (
         SELECT 1 FROM sign_in o WHERE o.member_id = :canonical
         AND (o.lesson_id = sign_in.lesson_id OR o.activity_id = sign_in.activity_id))""",
    "UPDATE points_entry SET member_id = :canonical WHERE member_id = :alias",
    """UPDATE enrollment SET member_id = :canonical WHERE member_id = :alias AND NOT EXISTS (
         SELECT 1 FROM enrollment o WHERE o.member_id = :canonical AND o.course_id = enrollment.course_id)""",
    """UPDATE registration SET member_id = :canonical WHERE member_id = :alias AND NOT EXISTS (
         SELECT 1 FROM registration o WHERE o.member_id = :canonical AND o.activity_id = registration.activity_id)""",
]


# -- balances -------------------------------------------------------------------------------------


def balance(entry_id: str, data: dict | None, here: Here) -> None:
    """A bureau ledger entry: this kiosk's own entry becomes confirmed, any other (other sites',
    the bureau's reversals) is added as confirmed; the member's confirmed balance follows it.
    Entries come in ledger order, so the last one of a member leaves the bureau's balance."""
    if data is None:
        return  # the ledger is append-only: nothing is taken back this way
    owner = canonical(get_by(Member, "member_no", data["member_no"]))
    if owner is None:
        raise Unapplied(f"member {data['member_no']} is not on this kiosk")
    local = get_by(PointsEntry, "event_id", entry_id)
    if local is not None:
        PointsEntry.update(status="confirmed").where(PointsEntry.id == local.id).execute()
    else:
        reversed_ = get_by(PointsEntry, "event_id", data["reverses"]) if data.get("reverses") else None
        PointsEntry.create(
            event_id=entry_id,
            member=owner,
            amount=int(data["amount"]),
            kind=data["kind"],
            rule=data.get("rule") or "",
            note=data.get("note") or "",
            at=_moment(data["at"]),
            reverses=reversed_,
            status="confirmed",
            minutes=_count(data.get("minutes")),
        )
    Member.update(points_confirmed=int(data["balance"])).where(Member.id == owner.id).execute()


# -- rules ----------------------------------------------------------------------------------------


def rule(category: str, data: dict | None, here: Here) -> None:
    """The bureau's rule of a category; without one (deleted) the category earns by the default."""
    if data is None:
        PointsRule.delete().where(PointsRule.category == category).execute()
        return
    try:
        row = points.checked(data)  # the checks the bureau's rules make of it
    except ValueError as e:
        raise Unapplied(str(e)) from None
    if not points.is_count(data.get("version")):
        raise Unapplied(f"version must be a whole number ≥ 0, not {data.get('version')!r}")
    values = {**row, "version": data["version"], "source": "bureau", "updated_at": here.now}
    (
        PointsRule.insert(values)
        .on_conflict(
            conflict_target=[PointsRule.category], update={getattr(PointsRule, k): v for k, v in values.items()}
        )
        .execute()
    )


# -- items: activities, courses, notices and organisations ---------------------------------------


def published(key: str, data: dict | None, here: Here) -> None:
    kind = key.split(":", 1)[0]
    if kind not in _ITEMS:
        raise Unapplied(f"unknown kind of item {kind!r}")
    _ITEMS[kind](key, data, here)


def _activity(key: str, data: dict | None, here: Here) -> None:
    """Upsert by the bureau's key, for this kiosk's site.  Cancelled (or deleted: an older bureau
    withdrew it), it stays with its sign-ins, and the seniors registered for it are told at their
    next card read, once (kiosk.programme.activities.take_notices)."""
    found = Activity.get_or_none(Activity.bureau_key == key)
    if data is None:
        if found is not None:
            cancel_activity(found, found.cancel_reason)
        return
    cancelled = bool(data.get("cancelled"))
    fields = {
        "site": _site(here.site),
        "title": data["title"],
        "kind": data.get("category") or "activity",
        "place": data.get("place") or "",
        "start": _moment(data["start"]),
        "end": _moment(data["end"]),
        "capacity": int(data.get("capacity") or 0),
        "open": bool(data.get("open")),
        "points": data.get("points"),
        "waitlist": bool(data.get("waitlist", True)),
        "window_before_min": _minutes(data.get("window_before_min")),
        "window_after_min": _minutes(data.get("window_after_min")),
        "cancel_reason": data.get("cancel_reason") or "",
        "series_no": data.get("series_no"),
        "org_key": data.get("org") or None,
    }
    if found is None:
        found = Activity.create(bureau_key=key, cancelled=cancelled, **fields)
    else:
        Activity.update(**fields).where(Activity.id == found.id).execute()
    if cancelled:
        cancel_activity(found, fields["cancel_reason"])
    elif found.cancelled:  # taken back: on again
        Activity.update(cancelled=False).where(Activity.id == found.id).execute()
        Registration.update(cancel_notify=False).where(Registration.activity == found).execute()


def cancel_activity(activity: Activity, reason: str) -> None:
    """Cancel it; the seniors holding a place or waiting are to be told, once (not again when the
    bureau only changes its reason)."""
    if activity.cancelled:
        return
    Activity.update(cancelled=True, cancel_reason=reason).where(Activity.id == activity.id).execute()
    (
        Registration.update(cancel_notify=True)
        .where(Registration.activity == activity, Registration.status.in_(("registered", "waitlisted")))
        .execute()
    )


def _minutes(value) -> int | None:
    """A sign-in window's minutes as the bureau sent them (None: the kiosk's own)."""
    if value is None:
        return None
    if not points.is_count(value) or value > WINDOW_MAX:
        raise ValueError(f"a sign-in window of {value!r} minutes")
    return value


def _course(key: str, data: dict | None, here: Here) -> None:
    """Upsert the term (by site and name) and the course (by the bureau's key), then the course's
    future lessons follow its schedule, the term's holidays and the bureau's lesson changes.  A
    delete leaves only the lessons that took place."""
    course = Course.get_or_none(Course.bureau_key == key)
    if data is None:
        if course is not None:
            _follow_schedule(course, {}, here.now)
        return
    term = _term(_site(here.site), data["term"])
    fields = {
        "term": term,
        "name": data["title"],
        "category": data.get("category") or "lesson",
        "teacher": data.get("teacher") or "",
        "room": data.get("room") or "",
        "capacity": int(data.get("capacity") or 0),
        "schedule": json.dumps([{k: s[k] for k in ("weekday", "start", "end")} for s in data["schedule"]]),
        "age_min": _age(data.get("age_min")),
        "age_max": _age(data.get("age_max")),
    }
    if course is None:
        course = Course.create(bureau_key=key, **fields)
    else:
        Course.update(**fields).where(Course.id == course.id).execute()
        course = Course.get_by_id(course.id)
    _add_holidays(term, data.get("holidays") or [])
    holidays = {h.day for h in term.holidays}
    lessons = {s: Planned(e) for s, e in lesson_times(course, term, holidays)}
    _follow_schedule(course, _changed(lessons, data.get("changes") or []), here.now)


@dataclass(frozen=True)
class Planned:
    """A lesson as the bureau's course has it: its end, and its room and state after a change."""

    end: datetime
    room: str = ""
    cancelled: bool = False
    note: str = ""


def _add_holidays(term: Term, days: list[str]) -> None:
    """The bureau's holidays of the term join the kiosk's (a term's holidays are the site's)."""
    rows = [{"term": term.id, "day": date.fromisoformat(d), "name": ""} for d in days]
    if rows:
        Holiday.insert_many(rows).on_conflict_ignore().execute()


def _changed(lessons: dict[datetime, Planned], changes: list[dict]) -> dict[datetime, Planned]:
    """The lessons with the bureau's changes: a cancelled one stays, marked (停课, with the
    reason); a moved one takes its new time and room (调课)."""
    by_day = {s.date(): s for s in sorted(lessons, reverse=True)}  # a day's first lesson
    for change in changes:
        start = by_day.get(date.fromisoformat(change["day"]))
        if start is None:
            continue  # not a lesson day (any more): nothing to change
        planned, note = lessons.pop(start), change.get("reason") or ""
        if change["action"] == "cancel":
            lessons[start] = Planned(planned.end, planned.room, True, note)
        elif change["action"] == "move":
            lessons[_moment(change["start"])] = Planned(_moment(change["end"]), change.get("room") or "", False, note)
        else:
            raise ValueError(f"unknown lesson change {change['action']!r}")
    return lessons


def _term(site_row: Site, data: dict) -> Term:
    start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
    term = Term.get_or_none(Term.site == site_row, Term.name == data["name"])
    if term is None:
        return Term.create(site=site_row, name=data["name"], start=start, end=end)
    if (term.start, term.end) != (start, end):
        Term.update(start=start, end=end).where(Term.id == term.id).execute()
        term = Term.get_by_id(term.id)
    return term


def _follow_schedule(course: Course, wanted: dict[datetime, Planned], now: datetime) -> None:
    """Lessons after `now` become those `wanted` (start → end, room, cancelled): the others go
    unless someone signed in to them, the missing ones are added, the kept ones take the room and
    state the bureau gives.  Past lessons are history and stay; none is made in the past, where it
    would count as missed (as kiosk.programme.terms does)."""
    future = list(course.lessons.where(Lesson.start > now))
    signed = {s.lesson_id for s in SignIn.select(SignIn.lesson).where(SignIn.lesson.in_([x.id for x in future]))}
    for lesson in future:
        plan = wanted.get(lesson.start)
        if plan is None or plan.end != lesson.end:
            if lesson.id not in signed:
                lesson.delete_instance()
        elif (lesson.room, lesson.cancelled, lesson.note) != (plan.room, plan.cancelled, plan.note):
            Lesson.update(room=plan.room, cancelled=plan.cancelled, note=plan.note).where(
                Lesson.id == lesson.id
            ).execute()
    have = {x.start for x in course.lessons}
    rows = [
        {"course": course.id, "start": s, "end": p.end, "room": p.room, "cancelled": p.cancelled, "note": p.note}
        for s, p in wanted.items()
        if s > now and s not in have
    ]
    if rows:
        Lesson.insert_many(rows).execute()


def _enrollment(key: str, data: dict | None, here: Here) -> None:
    """A member the console put on a course's roster (enrollment:<course key>:<member_no>): upsert
    by member and course; dropped (or deleted) is withdrawn here."""
    if data is None:
        _, course_key, member_no = key.split(":", 2)
        status = "withdrawn"
    else:
        course_key, member_no = data["course"], data["member_no"]
        status = _ENROLLMENT_STATUS[data["status"]]
    course = get_by(Course, "bureau_key", f"course:{course_key}")
    member = canonical(get_by(Member, "member_no", member_no))
    if course is None or member is None:
        raise Unapplied(f"course {course_key} or member {member_no} is not on this kiosk yet")
    at = _moment(data["at"]) if data and data.get("at") else here.now
    row = Enrollment.get_or_none(Enrollment.member == member, Enrollment.course == course)
    if row is None:
        Enrollment.create(member=member, course=course, status=status, at=at)
    else:
        Enrollment.update(status=status, at=at).where(Enrollment.id == row.id).execute()


# The bureau's roster statuses as this kiosk's (kiosk.programme.waitlist).
_ENROLLMENT_STATUS = {"enrolled": "enrolled", "waitlisted": "waitlisted", "dropped": "withdrawn"}


def _notice(key: str, data: dict | None, here: Here) -> None:
    """Upsert by the bureau's key; a delete (withdrawn) removes it.  A notice already announced
    keeps its spoken_at: the voice says each notice once (kiosk.programme.notices)."""
    bureau_key = key.split(":", 1)[1]
    if data is None:
        Notice.delete().where(Notice.key == bureau_key).execute()
        return
    fields = {
        "kind": data["type"],
        "title": data["title"],
        "body": data.get("body") or "",
        "start": _moment(data["start"]),
        "end": _moment(data["end"]),
    }
    if Notice.update(**fields).where(Notice.key == bureau_key).execute() == 0:
        Notice.create(key=bureau_key, **fields)


def _org(key: str, data: dict | None, here: Here) -> None:
    """A party branch, volunteer team or club (org:<key>): upsert by the bureau's key, its roster
    replaced by the member numbers sent (the item carries them all); a delete (dissolved) removes
    it and its activities are no longer its.  Only the kind, the name and the numbers are kept:
    the kiosk needs no more to put a member's organisation's activity first (近期活动)."""
    bureau_key = key.split(":", 1)[1]
    if data is None:
        Organisation.delete().where(Organisation.key == bureau_key).execute()  # its roster cascades
        Activity.update(org_key=None).where(Activity.org_key == bureau_key).execute()
        return
    fields = {"kind": str(data["type"]), "name": str(data["name"])}
    members = sorted({str(no) for no in data["members"]})
    found = Organisation.get_or_none(Organisation.key == bureau_key)
    if found is None:
        found = Organisation.create(key=bureau_key, **fields)
    else:
        Organisation.update(**fields).where(Organisation.id == found.id).execute()
        OrgMember.delete().where(OrgMember.organisation == found).execute()
    if members:
        OrgMember.insert_many([{"organisation": found.id, "member_no": no} for no in members]).execute()


def _catalogue(key: str, data: dict | None, here: Here) -> None:
    """An item of the points catalogue (catalogue:<key>): upsert by the bureau's key; a delete
    (withdrawn) removes it, and the seniors' open requests for it stay for staff to hand over or
    cancel.  The bureau's stock counts every redemption fact it has, so this kiosk's own stock
    changes whose facts it acknowledged are dropped: the rest still lower (or raise) it here
    (kiosk.points.catalogue)."""
    bureau_key = key.split(":", 1)[1]
    if data is None:
        CatalogueItem.delete().where(CatalogueItem.key == bureau_key).execute()
        CatalogueMove.delete().where(CatalogueMove.item_key == bureau_key).execute()
        return
    price, stock = data["points"], data.get("stock")
    if not points.is_count(price) or price == 0:
        raise ValueError(f"a price of {price!r} points")
    fields = {
        "name": str(data["name"]),
        "points": price,
        "stock": _count(stock),
        "valid_from": _day(data.get("valid_from")),
        "valid_to": _day(data.get("valid_to")),
    }
    if CatalogueItem.update(**fields).where(CatalogueItem.key == bureau_key).execute() == 0:
        CatalogueItem.create(key=bureau_key, **fields)
    db.execute_sql(_COUNTED, (bureau_key,))


# This kiosk's stock changes the bureau counts: their facts are no longer waiting in the outbox.
_COUNTED = """DELETE FROM catalogue_move WHERE item_key = ?
    AND event_id NOT IN (SELECT event_id FROM outbox WHERE state = 'pending')"""


def _season(key: str, data: dict | None, here: Here) -> None:
    """An enrolment season (season:<key>): upsert by the bureau's key; a delete (withdrawn)
    removes it, and the applications made here stay as the facts they were."""
    bureau_key = key.split(":", 1)[1]
    if data is None:
        Season.delete().where(Season.key == bureau_key).execute()
        return
    max_courses = data["max_courses"]
    if not points.is_count(max_courses) or max_courses < 1:
        raise ValueError(f"max_courses {max_courses!r}")
    older_first = data.get("older_first")  # absent from an older bureau: no age priority
    if older_first is not None and (not points.is_count(older_first) or not 0 < older_first <= 150):
        raise ValueError(f"older_first {older_first!r}")
    fields = {
        "title": str(data["title"]),
        "term": str(data.get("term") or ""),
        "opens": _moment(data["opens"]),
        "closes": _moment(data["closes"]),
        "draw_at": _moment(data["draw_at"]),
        "max_courses": max_courses,
        "members_only": bool(data.get("members_only")),
        "returning_first": bool(data.get("returning_first")),
        "drawn": bool(data.get("drawn")),
        "courses": json.dumps([str(c) for c in data["courses"]]),
        "older_first": older_first,
    }
    if Season.update(**fields).where(Season.key == bureau_key).execute() == 0:
        Season.create(key=bureau_key, **fields)


_RESULT_STATUSES = frozenset({"won", "waitlisted", "refused"})


def _result(key: str, data: dict | None, here: Here) -> None:
    """The draw's result for a member (result:<season>:<member_no>), kept until they have been
    told it once (kiosk.enrolment.results).  The same result again is not news: a changed one is
    told again; a delete removes it."""
    _, season, member_no = key.split(":", 2)
    if data is None:
        DrawResult.delete().where(DrawResult.season == season, DrawResult.member_no == member_no).execute()
        return
    courses = [
        {
            "course": str(c["course"]),
            "title": str(c["title"]),
            "status": c["status"],
            "rank": c.get("rank"),
            "waitlist_position": c.get("waitlist_position"),
            "refusal": str(c.get("refusal") or ""),
        }
        for c in data["courses"]
    ]
    if any(c["status"] not in _RESULT_STATUSES for c in courses):
        raise ValueError(f"a result's status not one of {sorted(_RESULT_STATUSES)}")
    text = json.dumps(courses, ensure_ascii=False, sort_keys=True)
    found = DrawResult.get_or_none(DrawResult.season == season, DrawResult.member_no == member_no)
    if found is None:
        DrawResult.create(season=season, member_no=member_no, courses=text)
    elif found.courses != text:
        DrawResult.update(courses=text, told_at=None).where(DrawResult.id == found.id).execute()


_ITEMS: dict[str, Callable[[str, dict | None, Here], None]] = {
    "activity": _activity,
    "catalogue": _catalogue,
    "course": _course,
    "enrollment": _enrollment,
    "notice": _notice,
    "org": _org,
    "season": _season,
    "result": _result,
}


# -- settings -------------------------------------------------------------------------------------


def setting(key: str, data: dict | None, here: Here) -> None:
    """Kept as sent; kiosk.overlay merges them and kiosk.config checks each value at start-up."""
    if data is None:
        BureauSetting.delete().where(BureauSetting.key == key).execute()
        return
    value = json.dumps(data, ensure_ascii=False, sort_keys=True)
    (
        BureauSetting.insert(key=key, value=value)
        .on_conflict(conflict_target=[BureauSetting.key], preserve=[BureauSetting.value])
        .execute()
    )


# -- values ---------------------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    """An ISO datetime as the kiosk keeps times: local, naive."""
    value = datetime.fromisoformat(text)
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def _count(value) -> int | None:
    """A whole number ≥ 0 the bureau may send (a volunteer entry's minutes), or None."""
    if value is None:
        return None
    if not points.is_count(value):
        raise ValueError(f"not a count: {value!r}")
    return value


def _age(value) -> int | None:
    """A course's age bound (years, 0 to 150), or None: no bound."""
    if value is None:
        return None
    if not points.is_count(value) or value > 150:
        raise ValueError(f"an age bound of {value!r}")
    return value


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


APPLY: dict[str, Callable[[str, dict | None, Here], None]] = {
    "sites": site,
    "members": member,
    "cards": card,
    "balances": balance,
    "rules": rule,
    "items": published,
    "settings": setting,
}
