"""The kiosk's tables (docs/design.md §3).  The schema itself is made by kiosk/store/migrations/*.sql."""

from typing import Any

from peewee import (
    SQL,
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from kiosk.store.db import db


class BaseModel(Model):
    # Attributes peewee makes at class creation, declared for type checking only (annotations are
    # not fields): the automatic primary key, foreign keys' *_id and backrefs.
    id: Any

    class Meta:
        database = db
        legacy_table_names = False


class Site(BaseModel):
    code = CharField(unique=True)
    name = CharField()
    kind = CharField(default="center")  # center, university, school, branch, teaching_point
    address = CharField(default="")


class Member(BaseModel):
    member_no = CharField(unique=True)  # bureau-wide number printed on the card
    name = CharField()
    # The ID number's slow keyed hash (contract.idhash), and nothing beside it that narrows a search
    # for the number: no last 4, birth date or address (migration 0008).  A member of another site
    # holds only what a visit needs (kiosk.sync.apply): id_hash, card_issue, active, merged_into.
    id_hash = CharField(null=True, unique=True)
    gender = CharField(default="")  # 男, 女 or ""
    phone_last4 = CharField(default="", index=True)
    site = ForeignKeyField(Site, backref="members")
    card_issue = IntegerField(default=1)  # QR tokens of an older issue are revoked
    points_confirmed = IntegerField(default=0)  # balance the bureau confirmed at the last sync
    active = BooleanField(default=True)
    # The senior's preferences (added by ALTER TABLE, hence the SQL defaults).
    large_text = BooleanField(default=False, constraints=[SQL("DEFAULT 0")])  # type a size larger
    voice = BooleanField(default=True, constraints=[SQL("DEFAULT 1")])  # speak the results
    # Staff mode (migration 0004).
    initials = CharField(default="", index=True, constraints=[SQL("DEFAULT ''")])  # 王建华 → wjh
    phone = CharField(default="", constraints=[SQL("DEFAULT ''")])  # for staff to call (care list)
    nation = CharField(default="", constraints=[SQL("DEFAULT ''")])
    joined = DateField(null=True)  # the day the member was registered at this site
    # The bureau found this to be a second registration of a person: the member_no of the first
    # (migration 0006).  Such a member is inactive; its card finds the first (kiosk.checkin.signin).
    merged_into = CharField(null=True, index=True)


class Staff(BaseModel):
    name = CharField()
    pin_hash = CharField()  # kiosk.staff.access: scrypt$n$r$p$salt$hash
    role = CharField(default="staff")  # staff, admin
    site = ForeignKeyField(Site, backref="staff")
    active = BooleanField(default=True, constraints=[SQL("DEFAULT 1")])
    failures = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # wrong PINs since the last good one
    lockouts = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # each lockout is longer than the last
    locked_until = DateTimeField(null=True)


class Term(BaseModel):
    holidays: Any
    courses: Any
    site = ForeignKeyField(Site, backref="terms")
    name = CharField()
    start = DateField()
    end = DateField()


class Holiday(BaseModel):
    term_id: int
    term = ForeignKeyField(Term, backref="holidays", on_delete="CASCADE")
    day = DateField()
    name = CharField(default="")

    class Meta:
        indexes = ((("term", "day"), True),)


class Course(BaseModel):
    term_id: int
    lessons: Any
    enrollments: Any
    term = ForeignKeyField(Term, backref="courses")
    name = CharField()  # 太极拳（二）班
    category = CharField(
        default="lesson"
    )  # the subject as the centre files it (书法, 国画); points use the lesson rule
    teacher = CharField(default="")
    room = CharField(default="")
    capacity = IntegerField(default=0)  # 0 = no limit
    schedule = TextField(default="[]")  # JSON: [{"weekday": 1..7, "start": "09:00", "end": "11:00"}]
    bureau_key = CharField(null=True, unique=True)  # "course:<uuid>" when the bureau published it
    # The ages (on the term's first day) a senior must be to apply in an enrolment season, as the
    # bureau publishes them; None: no bound (migration 0012).
    age_min = IntegerField(null=True)
    age_max = IntegerField(null=True)


class Lesson(BaseModel):
    course_id: int
    course = ForeignKeyField(Course, backref="lessons")
    start = DateTimeField(index=True)
    end = DateTimeField()
    room = CharField(default="")  # "" = the course's room
    cancelled = BooleanField(default=False)
    note = CharField(default="", constraints=[SQL("DEFAULT ''")])  # why it was cancelled or moved

    class Meta:
        indexes = ((("course", "start"), True),)


class Enrollment(BaseModel):
    member = ForeignKeyField(Member, backref="enrollments")
    course = ForeignKeyField(Course, backref="enrollments")
    status = CharField(default="enrolled")  # enrolled, waitlisted, withdrawn
    at = DateTimeField(null=True)  # when enrolled (or waitlisted): the waitlist's order

    class Meta:
        indexes = ((("member", "course"), True), (("course", "status"), False))


class Activity(BaseModel):
    site = ForeignKeyField(Site, backref="activities")
    title = CharField()
    kind = CharField(default="activity")  # report, walk, party_day, performance, volunteer ...
    place = CharField(default="")
    start = DateTimeField(index=True)
    end = DateTimeField()
    capacity = IntegerField(default=0)  # 0 = no limit
    open = BooleanField(default=False)  # anyone may sign in without registering
    points = IntegerField(null=True)  # None = the points rule of its category
    cancelled = BooleanField(default=False)
    bureau_key = CharField(null=True, unique=True)  # "activity:<uuid>" when the bureau published it
    waitlist = BooleanField(default=True, constraints=[SQL("DEFAULT 1")])  # False: full means full
    # Its own sign-in window (minutes before start, after start); None: checkin.window_*_min.
    window_before_min = IntegerField(null=True)
    window_after_min = IntegerField(null=True)
    cancel_reason = CharField(default="", constraints=[SQL("DEFAULT ''")])
    series_no = IntegerField(null=True)  # the 17th 健步行
    # The key of the organisation (branch, team) whose activity it is (migration 0011): a key, not a
    # reference, as the bureau may publish the activity before the organisation.
    org_key = CharField(null=True, index=True)


class Registration(BaseModel):
    member = ForeignKeyField(Member, backref="registrations")
    activity = ForeignKeyField(Activity, backref="registrations")
    status = CharField(default="registered")  # registered, waitlisted, cancelled
    at = DateTimeField(null=True)  # when signed up (or waitlisted): the waitlist's order
    promoted_at = DateTimeField(null=True)  # moved up from the waitlist
    notify = BooleanField(default=False, constraints=[SQL("DEFAULT 0")])  # promoted, not told yet
    cancel_notify = BooleanField(default=False, constraints=[SQL("DEFAULT 0")])  # cancelled, not told yet

    class Meta:
        indexes = ((("member", "activity"), True), (("activity", "status"), False))


class SignIn(BaseModel):
    lesson_id: int | None
    activity_id: int | None
    event_id = CharField(unique=True)  # UUIDv7, also the outbox fact's id
    member = ForeignKeyField(Member, backref="signins")
    lesson = ForeignKeyField(Lesson, null=True, backref="signins")
    activity = ForeignKeyField(Activity, null=True, backref="signins")
    at = DateTimeField()
    method = CharField()  # qr, idcard, staff
    kiosk_id = CharField()
    staff = ForeignKeyField(Staff, null=True)  # who signed the senior in by hand (补签) ...
    reason = CharField(default="", constraints=[SQL("DEFAULT ''")])  # ... and why

    class Meta:
        # NULLs are distinct in SQLite, so each pair is unique only where it is set.
        indexes = ((("member", "lesson"), True), (("member", "activity"), True))


class PointsEntry(BaseModel):
    member_id: int
    reverses_id: int | None
    event_id = CharField(unique=True)
    member = ForeignKeyField(Member, backref="points")
    amount = IntegerField()
    kind = CharField()  # lesson, activity, volunteer, redeem, correction, reversal
    rule = CharField(default="")
    signin = ForeignKeyField(SignIn, null=True, backref="points")
    reverses = ForeignKeyField("self", null=True)
    status = CharField(default="provisional")  # provisional until the bureau confirms it
    at = DateTimeField()
    note = CharField(default="")
    staff = ForeignKeyField(Staff, null=True)  # who recorded it, for volunteer hours, redemptions, corrections
    minutes = IntegerField(null=True)  # volunteer service: its time, when known (migration 0011)

    class Meta:
        indexes = ((("member", "status"), False), (("member", "at"), False))


class PointsRule(BaseModel):
    """How many points a category earns (docs/design.md §4.5).  Defaults come with migration 0003; the
    bureau replaces them through sync."""

    category = CharField(unique=True)  # lesson, activity, party, volunteer
    points = IntegerField()  # per attendance, or per hour of volunteer service
    per = CharField(default="attendance")  # attendance, hour
    daily_cap = IntegerField(default=0)  # most points a member earns in this category a day; 0 = no cap
    once_per_item = BooleanField(default=True)  # one award per member per lesson or activity
    version = IntegerField(default=0)
    source = CharField(default="default")  # default, bureau
    updated_at = DateTimeField()


class Outbox(BaseModel):
    seq = AutoField()  # gap-free: max + 1 inside the write transaction
    event_id = CharField(unique=True)
    kind = CharField()
    schema_v = IntegerField(default=1)
    wall_ms = IntegerField()
    payload = TextField()  # JSON
    state = CharField(default="pending", index=True)  # pending, acked, rejected
    reject_code = CharField(default="", constraints=[SQL("DEFAULT ''")])  # why the bureau refused it
    reject_reason = TextField(default="", constraints=[SQL("DEFAULT ''")])


class SyncState(BaseModel):
    """The sync client's own state, a value per key (kiosk.sync.state)."""

    key = CharField(primary_key=True)
    value = TextField()


class Pulled(BaseModel):
    """What this kiosk applied of each pull stream (kiosk.sync.pull): per entity, the rev it
    applied and the crc the bureau computed, so the nightly sync can compare checksums."""

    stream = CharField()
    entity_id = CharField()
    rev = IntegerField()  # -1: kept from before a refetch, not yet seen again
    crc = IntegerField()
    deleted = BooleanField(default=False)  # a tombstone: kept for its rev, left out of the checksum

    class Meta:
        primary_key = CompositeKey("stream", "entity_id")


class BureauSetting(BaseModel):
    """The "settings" stream: "*", "site:CODE" or this kiosk's id → a JSON object of
    {"section.key": value}, laid over the site file at start-up (kiosk.config)."""

    key = CharField(primary_key=True)
    value = TextField()


class Notice(BaseModel):
    """A notice (通知, 停课, 调课) the bureau published for this kiosk ("items" stream, notice:<key>),
    shown on the attract and home screens from start to end (kiosk.programme.notices)."""

    key = CharField(unique=True)  # the bureau's key (the item's entity id without "notice:")
    kind = CharField(default="notice")  # notice, suspend (停课), move (调课)
    title = CharField()
    body = TextField(default="")
    start = DateTimeField()
    end = DateTimeField(index=True)
    spoken_at = DateTimeField(null=True)  # announced by the voice when first shown: never again


class Organisation(BaseModel):
    """A party branch, volunteer team or club of this site (or the bureau's own), as the bureau
    publishes it ("items" stream, org:<key>): its name and kind, and nothing of its members but
    their numbers (OrgMember).  A senior who is a member sees its next activity first on 近期活动."""

    key = CharField(unique=True)  # the bureau's key (the item's entity id without "org:")
    kind = CharField()  # branch, temp_branch, team, club
    name = CharField()


class OrgMember(BaseModel):
    """A member of an organisation, by member number: the bureau's roster as last published,
    which may name members this kiosk has not pulled (yet)."""

    organisation = ForeignKeyField(Organisation, backref="members", on_delete="CASCADE", index=False)
    member_no = CharField(index=True)

    class Meta:
        indexes = ((("organisation", "member_no"), True),)


class CatalogueItem(BaseModel):
    """An item of the points catalogue (积分兑换) as the bureau last published it ("items" stream,
    catalogue:<key>): its price, its stock as the bureau counted it, when it may be asked for
    (kiosk.points.catalogue).  This kiosk's own handovers since are in CatalogueMove."""

    key = CharField(unique=True)  # the bureau's key (the item's entity id without "catalogue:")
    name = CharField()
    points = IntegerField()
    stock = IntegerField(null=True)  # None: no limit
    valid_from = DateField(null=True)
    valid_to = DateField(null=True)


class CatalogueMove(BaseModel):
    """A change this kiosk made to an item's stock (-1 a handover, +1 a handover cancelled) that the
    bureau's stock does not count yet: kept until the bureau publishes the item again after it has
    the redemption fact that made it (migration 0013)."""

    item_key = CharField(index=True)
    event_id = CharField(unique=True)  # the redemption fact (handover or cancel) that made it
    delta = IntegerField()


class RedemptionRequest(BaseModel):
    """A senior's request for a catalogue item, asked at this kiosk, and where it stands: open until
    staff hand it over (its points then leave as a redeem ledger entry) or cancel it (migration 0013)."""

    member_id: int
    event_id = CharField(unique=True)  # the request's redemption fact
    member = ForeignKeyField(Member, backref="redemption_requests", index=False)
    item_key = CharField()
    item_name = CharField()  # as it was asked for: the bureau may rename or withdraw the item
    points = IntegerField()  # the price when asked
    at = DateTimeField()
    status = CharField(default="open")  # open, handed, cancelled
    entry = CharField(null=True)  # handed: the event_id of the redeem `points` fact
    handed_at = DateTimeField(null=True)
    cancelled_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "at"), False), (("member", "status"), False))


class Season(BaseModel):
    """An enrolment season (报名季) of this site, as the bureau publishes it (season:<key>): when
    seniors may apply at the kiosk, for which courses (their bureau keys, JSON), how many each, and
    when the draw is (docs/design.md §4.8)."""

    key = CharField(unique=True)  # the bureau's Season.key (the item's id without "season:")
    title = CharField()  # 2027 春季报名
    term = CharField()  # the term's name
    opens = DateTimeField()
    closes = DateTimeField()  # applying and withdrawing end here (opens <= now < closes)
    draw_at = DateTimeField()
    max_courses = IntegerField()
    members_only = BooleanField()  # only members of this site may apply
    returning_first = BooleanField()
    drawn = BooleanField()
    courses = TextField()  # JSON: the bureau's course keys
    older_first = IntegerField(null=True)  # applicants this old on the term's first day draw first (0014)


class Application(BaseModel):
    """A senior's application for a course of a season made at this kiosk (also an `application`
    fact): applied, or withdrawn before the season closed.  Nothing of the birth date: only
    whether the age was checked from an ID card."""

    member_no = CharField()
    season = CharField()  # Season.key
    course = CharField()  # the bureau's course key (Course.bureau_key without "course:")
    status = CharField()  # applied, withdrawn
    at = DateTimeField()
    age_checked = BooleanField()
    staff_name = CharField()  # "" unless staff applied for the senior (代为报名)
    reason = CharField()  # staff's reason then

    class Meta:
        indexes = ((("member_no", "season", "course"), True), (("season", "course"), False))


class DrawResult(BaseModel):
    """The draw's result for a member (result:<season>:<member_no>): their courses, each won,
    waitlisted or refused (JSON as the bureau sent it), kept until the senior has been told once."""

    season = CharField()
    member_no = CharField()
    courses = TextField()  # JSON: [{course, title, status, rank, waitlist_position, refusal}]
    told_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("member_no", "season"), True),)


class NewcomerCard(BaseModel):
    """An ID card that matched no member, kept for staff to register its holder (docs/design.md §9.1:
    the id_hash, never the number, its last 4, the birth date or the address; pruned after a few days)."""

    id_hash = CharField(unique=True)
    at = DateTimeField(index=True)  # the latest read
    card_type = CharField()  # resident, hmt, foreign2017, foreign2023
    name = CharField()
    name_flagged = BooleanField(default=False)  # a character of the name needs staff to fix it
    gender = CharField()
    nation = CharField()
    valid_to = DateField(null=True)
    long_term = BooleanField(default=False)


class Audit(BaseModel):
    """Every change staff make (docs/design.md §9.5): who, when, what, why; also an "audit" outbox fact."""

    event_id = CharField(unique=True)
    at = DateTimeField(index=True)
    staff = ForeignKeyField(Staff, null=True)  # None: the command line
    staff_name = CharField()
    action = CharField()  # e.g. signin.manual, enrol, points.redeem (kiosk.staff.audit)
    target = CharField()  # what it changed, e.g. "member DM0001", "lesson 42"
    reason = CharField(default="")
    detail = TextField(default="{}")  # JSON: the values before and after


ALL = [
    Site,
    Member,
    Staff,
    Term,
    Holiday,
    Course,
    Lesson,
    Enrollment,
    Activity,
    Registration,
    SignIn,
    PointsEntry,
    PointsRule,
    Outbox,
    SyncState,
    Pulled,
    BureauSetting,
    Notice,
    Organisation,
    OrgMember,
    CatalogueItem,
    CatalogueMove,
    RedemptionRequest,
    Season,
    Application,
    DrawResult,
    NewcomerCard,
    Audit,
]
