"""The demo site: loaded from config/demo/site.toml into an empty database on first start.

Loaded as a kiosk would have written it: the members' registrations, their sign-ins and ledger
entries each with its fact in the outbox, and a carried-over balance as a correction fact.  A
bureau this demo kiosk is registered at then learns the roster and the balances from its push,
and what it publishes back (kiosk.sync.apply: names, id_hashes, confirmed balances) blanks or
lowers nothing the demo shows.
"""

import hashlib
import json
import logging
import tomllib
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from kiosk import i18n
from kiosk.checkin.signin import signin_fact
from kiosk.identity import ids
from kiosk.people import members as roster
from kiosk.people import search
from kiosk.points import awards, redemptions
from kiosk.programme import schedule
from kiosk.staff import access
from kiosk.staff.audit import Actor
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.models import (
    Activity,
    CatalogueItem,
    Course,
    Enrollment,
    Holiday,
    Lesson,
    Member,
    Organisation,
    OrgMember,
    PointsEntry,
    Registration,
    SignIn,
    Site,
    Staff,
    Term,
)

log = logging.getLogger(__name__)

# The demo roster's id_hashes, beside its site file (made by tools/demo_hashes.py): deriving 200 of
# them takes seconds of CPU (contract.idhash), and the demo is seeded at every fresh start.
HASHES = "id_hashes.toml"

# The app tops up every 5 minutes (screens.app.DEMO_TOP_UP_S): a lesson it finds or makes stays
# due longer than that, so a demo member always has something to sign in to.
DUE_FOR = timedelta(minutes=10)


def read(path: str | Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def load_if_empty(settings: SimpleNamespace, now: datetime) -> bool:
    """Load the demo data when the database has no site yet; True if it did."""
    if not settings.site.demo_data or Site.select().exists():
        return False
    data = read(settings.site.demo_data)
    with write():
        _load(data, settings, now)
    log.info("demo data loaded from %s", settings.site.demo_data)
    return True


@cache
def _always_due_names(path: str) -> tuple[str, ...]:
    # Read once: parsing the demo file takes ~20 ms, a dropped frame on the UI thread.
    return tuple(c["name"] for c in read(path)["courses"] if c.get("always_due"))


def always_due_courses(settings: SimpleNamespace) -> list[Course]:
    """The demo courses marked always_due, in which every demo member is enrolled."""
    names = _always_due_names(settings.site.demo_data)
    return list(Course.select().where(Course.name.in_(names)).order_by(Course.id))


def ensure_due(settings: SimpleNamespace, now: datetime) -> None:
    """Give the always-due demo course a lesson in the sign-in window now that stays in it for
    DUE_FOR (as far as the window allows), unless one is there.  Lessons of the course never
    overlap: the running one ends where the new one starts, and the new one ends where the next
    begins, so they follow on as one sitting and nobody is signed in or paid twice for it."""
    if not settings.site.demo_data:
        return
    courses = always_due_courses(settings)
    if not courses:
        return
    course = courses[0]
    hi = now + timedelta(minutes=settings.checkin.window_before_min)
    # A lesson starting at `earliest` or later is due now and for DUE_FOR more.
    earliest = min(now - timedelta(minutes=settings.checkin.window_after_min) + DUE_FOR, hi)
    lessons = course.lessons.where(~Lesson.cancelled)
    if lessons.where(Lesson.start.between(earliest, hi)).exists():
        return
    # The latest half hour not after now, else the latest whole minute, else now itself, else the
    # first whole minute from `earliest`, else `earliest`: the first of these that is early enough.
    minute = now.replace(second=0, microsecond=0)
    half_hour = minute.replace(minute=now.minute - now.minute % 30)
    later = earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = next(t for t in (half_hour, minute, now, later, earliest) if earliest <= t <= hi)
    following = lessons.where(Lesson.start > start).order_by(Lesson.start).first()
    end = min(start + timedelta(hours=2), following.start) if following else start + timedelta(hours=2)
    with write():
        Lesson.update(end=start).where(
            Lesson.course == course, ~Lesson.cancelled, Lesson.start < start, Lesson.end > start
        ).execute()
        Lesson.insert(course=course, start=start, end=end, room="", cancelled=False).on_conflict_ignore().execute()


def _load(data: dict, settings: SimpleNamespace, now: datetime) -> None:
    site = Site.create(**data["site"])
    term = _term(site, data["term"], now.date())
    courses = _courses(term, data["courses"])
    hashes = id_hashes(settings.site.demo_data, data["members"], bytes.fromhex(settings.security.id_hash_key))
    actor = Actor.of(None, settings)
    members = _members(site, data["members"], courses, hashes, actor, now)
    for person in data.get("staff", []):
        Staff.create(name=person["name"], role=person["role"], pin_hash=access.hash_pin(person["pin"]), site=site)
    for o in data.get("organisations", []):
        _organisation(o)
    for a in data["activities"]:
        _activity(site, a, members, now)
    for h in data.get("history", []):
        _history(members[h["member"]], h, courses, now, settings, actor)
    if not settings.sync.url:  # a bureau publishes its own: requests for the demo's it could not file
        for c in data.get("catalogue", []):
            _catalogue_item(c, now, settings)


def _catalogue_item(c: dict, now: datetime, settings: SimpleNamespace) -> None:
    """An item as kiosk.sync.apply keeps the bureau's, and the requests seniors made for it here
    (kiosk.points.redemptions, with their facts): after the history, whose points they hold."""
    days = {k: now.date() + timedelta(days=c[k]) if k in c else None for k in ("from", "to")}
    CatalogueItem.create(
        key=c["key"],
        name=c["name"],
        points=c["points"],
        stock=c.get("stock"),
        valid_from=days["from"],
        valid_to=days["to"],
    )
    for member_no, day in c.get("requested", []):
        at = now + timedelta(days=day, minutes=-30)
        redemptions.request(member_no, c["key"], at, settings.kiosk.id, settings.site.code)


def _courses(term: Term, rows: list[dict]) -> dict[str, Course]:
    courses = {}
    for c in rows:
        schedule_json = json.dumps(c["schedule"], ensure_ascii=False)
        courses[c["name"]] = Course.create(
            term=term,
            name=c["name"],
            category=c["category"],
            teacher=c["teacher"],
            room=c["room"],
            capacity=c["capacity"],
            schedule=schedule_json,
        )
    for course in courses.values():
        schedule.generate_lessons(course)
    return courses


def id_hashes(demo_data: str | Path, rows: list[dict], id_key: bytes) -> dict[str, str]:
    """Member number → id_hash of the roster `rows`: the ones shipped beside the demo file when
    they were made with this key, the others derived."""
    shipped = Path(demo_data).with_name(HASHES)
    found = read(shipped) if shipped.is_file() else {}
    known = found.get("hashes", {}) if found.get("key") == key_fingerprint(id_key) else {}
    missing = [m for m in rows if m["no"] not in known]
    return known | dict(zip((m["no"] for m in missing), ids.id_hashes((m["id"] for m in missing), id_key)))


def key_fingerprint(id_key: bytes) -> str:
    """Which key shipped hashes were made with, without the key."""
    return hashlib.sha256(b"yinling demo id_hashes\n" + id_key).hexdigest()


def _members(
    site: Site, rows: list[dict], courses: dict[str, Course], hashes: dict[str, str], actor: Actor, now: datetime
) -> dict[str, Member]:
    """The roster, each member with their registration's fact and the points they carried over
    from earlier terms as a correction the day before this term (the bureau's ledger holds a
    balance only as entries)."""
    members = {}
    first_term = min((c.term.start for c in courses.values()), default=date.today())
    eve = datetime.combine(first_term - timedelta(days=1), time())
    for n, m in enumerate(rows):
        members[m["no"]] = Member.create(
            member_no=m["no"],
            name=m["name"],
            id_hash=hashes[m["no"]],
            gender=m["gender"],
            phone_last4=m["phone"],
            site=site,
            points_confirmed=m["points"],
            initials=search.initials(m["name"]),
            joined=first_term.replace(year=first_term.year - n % 6, day=1),
        )  # members for up to six years
        roster.record_fact(actor, members[m["no"]], now)
        if m["points"]:
            _points_fact(
                facts.new_event_id(),
                members[m["no"]],
                m["points"],
                "correction",
                eve,
                actor,
                now,
                reason=i18n.t("points.opening"),
            )
        for k, name in enumerate(m["courses"]):
            # Enrolled in the week before the term, in roster order: the waitlist's order needs a time.
            at = datetime.combine(courses[name].term.start - timedelta(days=7), datetime.min.time())
            Enrollment.create(member=members[m["no"]], course=courses[name], at=at + timedelta(minutes=n * 10 + k))
    return members


def _organisation(o: dict) -> None:
    """A branch or team as kiosk.sync.apply keeps the bureau's: kind, name and the numbers."""
    org = Organisation.create(key=o["key"], kind=o["type"], name=o["name"])
    OrgMember.insert_many([{"organisation": org.id, "member_no": no} for no in sorted(set(o["members"]))]).execute()


def _activity(site: Site, a: dict, members: dict[str, Member], now: datetime) -> None:
    day = now.date() + timedelta(days=a["day"])
    activity = Activity.create(
        org_key=a.get("org"),
        site=site,
        title=a["title"],
        kind=a["kind"],
        place=a["place"],
        start=datetime.combine(day, schedule.hm(a["start"])),
        end=datetime.combine(day, schedule.hm(a["end"])),
        capacity=a["capacity"],
        open=a["open"],
        points=a["points"],
    )
    # Signed up a minute apart three days ago, in the file's order (the waitlist's order); the
    # promoted moved up yesterday.
    queue = (
        [(no, "registered", False) for no in a.get("registered", [])]
        + [(no, "registered", True) for no in a.get("promoted", [])]
        + [(no, "waitlisted", False) for no in a.get("waitlisted", [])]
    )
    signed_up = now - timedelta(days=3)
    for n, (no, status, promoted) in enumerate(queue):
        Registration.create(
            member=members[no],
            activity=activity,
            status=status,
            at=signed_up + timedelta(minutes=n),
            promoted_at=now - timedelta(days=1) if promoted else None,
            notify=promoted,
        )


def _history(
    member: Member, h: dict, courses: dict[str, Course], now: datetime, settings: SimpleNamespace, actor: Actor
) -> None:
    """The member's sign-ins and ledger entries, as confirmed by the bureau; their sum is added to
    the confirmed balance."""
    # Only lessons whose sign-in window has closed, so none makes a lesson due now "already".
    closed = now - timedelta(minutes=settings.checkin.window_after_min)
    lesson_points = awards.rule("lesson").points
    total = sum(
        _attendance(member, courses[a["course"]], a, closed, lesson_points, actor, now) for a in h.get("attendance", [])
    )
    total += sum(_entry(member, e, actor, now) for e in h.get("entries", []))
    member.points_confirmed += total
    member.save()


def _attendance(
    member: Member, course: Course, spec: dict, closed: datetime, amount: int, actor: Actor, now: datetime
) -> int:
    held = list(course.lessons.where(~Lesson.cancelled, Lesson.start < closed).order_by(Lesson.start))
    last = len(held) - spec.get("missed_last", 0)
    came = [x for n, x in enumerate(held, 1) if n not in spec.get("missed", []) and n <= last]
    for n, lesson in enumerate(came):
        at = lesson.start - timedelta(minutes=5 + 3 * n % 11)  # a few minutes early, varying
        signin = SignIn.create(
            event_id=facts.new_event_id(), member=member, lesson=lesson, at=at, method="idcard", kiosk_id=actor.kiosk_id
        )
        # As the check-in writes them: the sign-in's fact, then its award's.
        signin_fact(
            signin.event_id, member, schedule.lesson_item(lesson), at, "idcard", actor.kiosk_id, actor.site, now
        )
        _confirmed(member, amount, "lesson", at, actor, now, rule="lesson_attendance", signin=signin)
    return amount * len(came)


def _entry(member: Member, e: dict, actor: Actor, now: datetime) -> int:
    at = datetime.combine(now.date() - timedelta(days=e["days_before"]), schedule.hm(e["time"]))
    if e["kind"] == "volunteer":
        amount = awards.volunteer_points(e["hours"])
        minutes = round(e["hours"] * 60)
        _confirmed(member, amount, "volunteer", at, actor, now, rule="volunteer_hour", note=e["note"], minutes=minutes)
    else:
        amount = e["amount"]
        _confirmed(member, amount, e["kind"], at, actor, now, note=e["note"])
    return amount


def _confirmed(member: Member, amount: int, kind: str, at: datetime, actor: Actor, now: datetime, **fields) -> None:
    entry = PointsEntry.create(
        event_id=facts.new_event_id(), member=member, amount=amount, kind=kind, status="confirmed", at=at, **fields
    )
    signin = fields.get("signin")
    _points_fact(
        entry.event_id,
        member,
        amount,
        kind,
        at,
        actor,
        now,
        rule=entry.rule,
        reason=entry.note,
        signin=signin.event_id if signin else None,
        **({"hours": entry.minutes / 60} if entry.minutes else {}),  # as kiosk.points.ledger's
    )


def _points_fact(
    event_id: str, member: Member, amount: int, kind: str, at: datetime, actor: Actor, now: datetime, **fields
) -> None:
    """A ledger entry's "points" fact, as kiosk.points.ledger (or, for an award, the check-in)
    writes it, so the bureau's balance is the one the demo shows."""
    # An award is the check-in's, which no staff member entered.
    origin = {"kiosk_id": actor.kiosk_id, "site": actor.site} if fields.get("signin") else actor.origin()
    payload = {"member_no": member.member_no, "amount": amount, "kind": kind, "at": at.isoformat()}
    facts.record("points", event_id, {**payload, **fields, **origin}, now)


def _term(site: Site, t: dict, first_day: date) -> Term:
    monday = first_day - timedelta(days=first_day.weekday())
    start = monday - timedelta(weeks=t["starts_weeks_before"])
    end = start + timedelta(weeks=t["weeks"], days=-1)
    # Named by its middle: a term starting in late January is a spring term, one starting in late
    # July an autumn term, and an autumn term's year is the year it began in.
    middle = start + (end - start) / 2
    season = "春季" if 2 <= middle.month <= 7 else "秋季"
    year = middle.year - 1 if middle.month == 1 else middle.year
    term = Term.create(site=site, name=t["name"].format(year=year, season=season), start=start, end=end)
    for h in t["holidays"]:
        day = start + timedelta(weeks=h["week"] - 1, days=h["weekday"] - 1)
        Holiday.create(term=term, day=day, name=h["name"])
    return term
