"""The bureau's tables: sites, their kiosks, the facts kiosks pushed, and what was refused.

The same models serve SQLite and PostgreSQL; times are UTC without a zone (store.utcnow()).
"""

from peewee import (
    SQL,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)

from bureau.sealing import SealedKeyField
from bureau.store import db, utcnow


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


# The levels of the bureau's hierarchy above the sites (市 → 区 → 街道/乡镇), and the kinds of site.
REGION_LEVELS = ("city", "district", "street")
SITE_KINDS = ("university", "branch", "center", "point")  # 老年大学, 分校, 老干部活动中心, 教学点


class Region(BaseModel):
    """A level of the hierarchy sites are rolled up in: a city, a district or a street (乡镇)."""

    name = CharField()
    level = CharField(max_length=16)  # one of REGION_LEVELS
    parent = ForeignKeyField("self", null=True, backref="children")

    class Meta:
        indexes = ((("parent", "name"), True),)


class Site(BaseModel):
    code = CharField(max_length=32, unique=True)  # e.g. DEMO-001, as in a kiosk's [site] code
    name = CharField()
    # The site's member numbers all start with it (bureau.prefixes): numbers never collide across
    # sites.  None for a site made before the bureau issued prefixes.
    prefix = CharField(max_length=8, null=True, unique=True)
    kind = CharField(max_length=16, default="center", constraints=[SQL("DEFAULT 'center'")])  # SITE_KINDS
    region = ForeignKeyField(Region, null=True, backref="sites")  # None: not placed in the hierarchy yet


class Kiosk(BaseModel):
    kiosk_id = CharField(max_length=64, unique=True)  # e.g. DEMO-001-K01, the kiosk's X-Kiosk
    site = ForeignKeyField(Site, backref="kiosks")
    name = CharField(default="")
    # The bureau holds the key itself (64 hex digits): an HMAC is checked with the key it was
    # made with.  After a rotation the old key is still accepted until old_key_until.  Both are
    # sealed with the server's secret in the store (bureau/sealing.py).
    key = SealedKeyField(max_length=160)
    old_key = SealedKeyField(max_length=160, null=True)
    old_key_until = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    # The kiosk's numbering: seqs are gap-free within an epoch; a restored or reinstalled kiosk
    # starts a new epoch (POST /v1/epoch).  acked_seq is the last seq the bureau holds.
    epoch = IntegerField(default=1)
    acked_seq = BigIntegerField(default=0)
    last_seen = DateTimeField(null=True)
    client_version = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)
    # The newest seq in the kiosk's outbox when it last pushed: head_seq - acked_seq is its backlog.
    head_seq = BigIntegerField(default=0)
    last_pull = DateTimeField(null=True)


class Event(BaseModel):
    """A fact a kiosk pushed (kiosk/store/facts.py), stored once by its event_id."""

    event_id = UUIDField(unique=True)
    kiosk = ForeignKeyField(Kiosk, backref="events", index=False)  # (kiosk, epoch, seq) indexes it
    epoch = IntegerField()
    seq = BigIntegerField()
    site = ForeignKeyField(Site, backref="events")
    kind = CharField(max_length=32)
    schema_v = IntegerField()
    wall_ms = BigIntegerField()  # the kiosk's clock when the fact was written
    received_at = DateTimeField()
    skew_ms = BigIntegerField()  # wall_ms minus the bureau's clock on arrival
    skewed = BooleanField(default=False)  # |skew_ms| > 5 min (ingest.SKEW_FLAG_MS): the kiosk clock is off
    payload = TextField()  # the fact's JSON object

    class Meta:
        indexes = ((("kiosk", "epoch", "seq"), True),)


class EventReject(BaseModel):
    """A fact refused on its own (dead-lettered): acknowledged to the kiosk, kept here for staff."""

    event_id = CharField(max_length=64, unique=True)  # as sent: it may not even be a UUID
    kiosk = ForeignKeyField(Kiosk, backref="rejects", index=False)
    epoch = IntegerField()
    seq = BigIntegerField()
    code = CharField(max_length=32)  # invalid, wrong_site
    reason = TextField()
    payload = TextField()  # the whole event as sent, JSON
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


class Member(BaseModel):
    """The bureau-wide roster, built from the kiosks' "member" facts (bureau.rules).  The same
    person registered at two sites (one id_hash) is one member: the later number is merged_into
    the first one the bureau received, and every points entry goes to that one."""

    member_no = CharField(max_length=32, unique=True)
    name = CharField()
    gender = CharField(default="")
    birth_year = IntegerField(null=True)
    id_hash = CharField(max_length=64, null=True, index=True)
    id_last4 = CharField(default="")
    phone_last4 = CharField(default="")
    site = ForeignKeyField(Site, backref="members")  # where the member was registered
    joined = DateField(null=True)
    active = BooleanField(default=True)
    merged_into = CharField(max_length=32, null=True)  # member_no of the member this one is
    balance = BigIntegerField(default=0)  # confirmed points: the sum of the ledger
    updated_at = DateTimeField(default=utcnow)
    # The newest QR card issue of the "card" facts: every older card is revoked at every kiosk.
    card_issue = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    initials = CharField(max_length=32, default="", index=True, constraints=[SQL("DEFAULT ''")])  # 拼音首字母: search


class LedgerEntry(BaseModel):
    """The bureau's points ledger: immutable; a correction is another entry that reverses one.
    A kiosk's entry keeps the kiosk's event_id as its entry_id; the bureau's own entries (a
    reversal of a double award, the excess over a daily cap) get a UUID of their own."""

    entry_id = CharField(max_length=64, unique=True)
    member_no = CharField(max_length=32, index=True)  # the member it counts for (after merging)
    amount = IntegerField()  # signed
    kind = CharField(max_length=32)  # lesson, activity, party, volunteer, redeem, correction, reversal
    rule = CharField(default="")
    site = ForeignKeyField(Site, null=True, backref="ledger")
    kiosk = ForeignKeyField(Kiosk, null=True, backref="ledger", index=False)
    reverses = CharField(max_length=64, null=True, index=True)  # entry_id of the entry this one undoes
    business_day = DateField()
    award_key = CharField(null=True, unique=True)  # once per member per item: category|member|title|start
    balance_after = BigIntegerField()  # the member's balance with this entry
    note = CharField(default="")
    at = DateTimeField()  # when it happened (the kiosk's time, corrected)
    recorded_at = DateTimeField(default=utcnow)
    minutes = IntegerField(null=True)  # volunteer service: its time (the fact's hours), for the reports

    class Meta:
        indexes = ((("member_no", "business_day"), False),)


# The volunteer reports (bureau/volunteers/hours.py) read the service of a period: only the entries
# with minutes are in it (migration 0011), a small part of a ledger of every sign-in's award.
LedgerEntry.add_index(LedgerEntry.business_day, where=LedgerEntry.minutes.is_null(False))


class RuleCursor(BaseModel):
    """How far the rules worker has read each kiosk's facts, per epoch (seqs are contiguous)."""

    kiosk = ForeignKeyField(Kiosk, backref="rule_cursors", index=False)
    epoch = IntegerField()
    seq = BigIntegerField(default=0)

    class Meta:
        indexes = ((("kiosk", "epoch"), True),)


class Attendance(BaseModel):
    """One sign-in, from a kiosk's "signin" fact (bureau.rules): what the reports count.  A lesson
    or activity is known bureau-wide by its site, title and start (kiosk ids are local)."""

    event_id = CharField(max_length=64, unique=True)
    member_no = CharField(max_length=32)  # after merging
    site = ForeignKeyField(Site, backref="attendance", index=False)
    kiosk = ForeignKeyField(Kiosk, backref="attendance", index=False)
    kind = CharField(max_length=16)  # lesson, activity
    title = CharField()
    start = DateTimeField()  # the lesson's or activity's start (local time)
    at = DateTimeField()  # when the senior signed in (local time)
    business_day = DateField()
    method = CharField(max_length=16)  # qr, idcard, staff

    class Meta:
        # (site, business_day, member_no): the figures' "who signed in at these sites in these
        # days" reads the index alone (an index-only scan on PostgreSQL), never the rows.
        indexes = ((("site", "business_day", "member_no"), False), (("member_no", "business_day"), False))


class DailyAttendance(BaseModel):
    """Sign-ins per site and business day, kept by the rules in the transaction that inserts the
    Attendance rows (bureau/daily.py): the charts sum a year of 40 sites from ~15,000 of these
    rather than counting ~400,000 sign-ins.  A merge changes a sign-in's member, never its site
    or day, so it changes nothing here."""

    site = ForeignKeyField(Site, index=False)
    day = DateField()
    signins = IntegerField()

    class Meta:
        primary_key = CompositeKey("site", "day")


class DeviceState(BaseModel):
    """The latest "device" fact of each device of each kiosk (bureau.rules), for kiosk health."""

    kiosk = ForeignKeyField(Kiosk, backref="devices", index=False)
    device = CharField(max_length=64)
    kind = CharField(max_length=32, default="")
    state = CharField(max_length=32)  # connected, silent, absent ...
    reads = IntegerField(default=0)
    faults = IntegerField(default=0)
    disconnects = IntegerField(default=0)
    last_error = CharField(max_length=200, default="")
    at = DateTimeField()

    class Meta:
        indexes = ((("kiosk", "device"), True),)


class StreamMeta(BaseModel):
    """A pull stream (bureau.streams): its newest rev, and the handle a kiosk's cursor belongs to.
    Revs below min_retained_rev are forgotten: a cursor older than that must fetch it all again."""

    stream = CharField(max_length=32, primary_key=True)
    handle = CharField(max_length=32)
    head_rev = BigIntegerField(default=0)
    min_retained_rev = BigIntegerField(default=0)


class StreamRow(BaseModel):
    """The current value of one entity of a stream, at the rev that last changed it.  A pull
    after rev R reads the rows with rev > R: every entity changed since, each once."""

    stream = CharField(max_length=32)
    entity_id = CharField(max_length=128)
    rev = BigIntegerField()
    scope = CharField(max_length=80, default="")  # "" every kiosk, "site:CODE", "kiosk:ID"
    deleted = BooleanField(default=False)  # a tombstone, kept until retention ends
    data = TextField()  # canonical JSON (bureau.streams.canonical)
    crc = BigIntegerField()  # crc32 of entity_id and data: the checksum's part
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("stream", "entity_id"), True), (("stream", "rev"), True))


MODELS = [
    Site,
    Kiosk,
    Event,
    EventReject,
    Nonce,
    Member,
    LedgerEntry,
    RuleCursor,
    Attendance,
    DeviceState,
    StreamMeta,
    StreamRow,
]


ROLES = ("admin", "viewer", "staff")  # every site and every change; every site, read only; one site


class BureauUser(BaseModel):
    """An account of the console (bureau/users.py): bureau staff, or a center's staff (role
    "staff", bound to one site)."""

    username = CharField(max_length=64, unique=True)
    password_hash = CharField(max_length=200)  # scrypt$n$r$p$salt$hash, never the password
    disabled = BooleanField(default=False)
    failures = IntegerField(default=0)  # wrong passwords in a row
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    last_login = DateTimeField(null=True)
    role = CharField(max_length=16, default="viewer", constraints=[SQL("DEFAULT 'viewer'")])  # one of ROLES
    site = ForeignKeyField(Site, null=True, backref="users")  # the staff's own site; None for the bureau's
    full_name = CharField(default="", constraints=[SQL("DEFAULT ''")])


class WebSession(BaseModel):
    """A signed-in browser: only the sha256 of its cookie's token is kept, so a copy of the store
    opens no session."""

    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(BureauUser, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)
    csrf = CharField(max_length=64, default="", constraints=[SQL("DEFAULT ''")])  # the forms' token
    address = CharField(max_length=64, default="", constraints=[SQL("DEFAULT ''")])  # the browser's IP
    agent = CharField(max_length=200, default="", constraints=[SQL("DEFAULT ''")])  # its User-Agent
    last_seen = DateTimeField(null=True)


class AuditEntry(BaseModel):
    """A change made in the console or the CLI: who, when, to what, and why (bureau/audit.py)."""

    at = DateTimeField(default=utcnow, index=True)
    username = CharField(max_length=64)
    site = ForeignKeyField(Site, null=True, backref="audit")  # the site the change concerns; None: bureau-wide
    action = CharField(max_length=64)  # activity.create, notice.withdraw, user.reset ...
    target = CharField(default="")  # what it changed: a key, a username, a title
    detail = TextField(default="")  # the values, JSON
    reason = TextField(default="")


# --- the programme the console manages (bureau/console), published to kiosks on the "items" stream ---


class Series(BaseModel):
    """Activities that repeat: every Tuesday, or the yearly 健步行 (its activities are numbered)."""

    key = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, null=True, backref="series")  # None: every site
    title = CharField()
    repeat = CharField(max_length=16)  # weekly, yearly
    created_at = DateTimeField(default=utcnow)


class Activity(BaseModel):
    """An activity made in the console (or by `activity publish`), item activity:<key> of the
    "items" stream; kiosks sign in to it and report its registrations."""

    key = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, null=True, backref="activities")  # None: every site
    series = ForeignKeyField(Series, null=True, backref="activities")
    series_no = IntegerField(null=True)  # the 16th 健步行
    title = CharField()
    category = CharField(max_length=32, default="activity")  # report, walk, party_day, health_talk ...
    place = CharField(default="")
    start = DateTimeField(index=True)  # local time
    end = DateTimeField()
    capacity = IntegerField(default=0)  # 0: no limit
    waitlist = BooleanField(default=True)  # when full, later seniors wait for a place
    open = BooleanField(default=False)  # anyone may sign in without registering
    points = IntegerField(null=True)  # None: the rule of its category
    window_before_min = IntegerField(null=True)  # sign-in opens this long before start; None: the kiosk's
    window_after_min = IntegerField(null=True)
    cancelled_at = DateTimeField(null=True)
    cancel_reason = TextField(default="")
    copied_from = CharField(max_length=32, null=True)
    created_by = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class Signup(BaseModel):
    """A senior's registration for an activity, from the kiosks' "registration" facts (bureau.rules)."""

    site = ForeignKeyField(Site, backref="signups", index=False)
    member_no = CharField(max_length=32)
    activity = ForeignKeyField(Activity, null=True, backref="signups")  # None: an activity a kiosk made
    title = CharField()
    start = DateTimeField()
    status = CharField(max_length=16)  # registered, waitlisted, cancelled
    at = DateTimeField()

    class Meta:
        indexes = ((("site", "title", "start", "member_no"), True),)


class Notice(BaseModel):
    """A short notice (通知, 停课, 调课) shown on the kiosks' attract and home screens from start to
    end; item notice:<key> of the "items" stream."""

    key = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, null=True, backref="notices")  # None: every site
    kind = CharField(max_length=16, default="notice")  # notice, suspend (停课), move (调课)
    title = CharField()
    body = TextField(default="")
    start = DateTimeField()
    end = DateTimeField(index=True)
    source = CharField(default="")  # "lesson:<course key>:<day>" when a lesson change made it
    withdrawn_at = DateTimeField(null=True)
    created_by = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)


class Term(BaseModel):
    site = ForeignKeyField(Site, backref="terms")
    name = CharField()  # 2026 秋季
    start = DateField()
    end = DateField()

    class Meta:
        indexes = ((("site", "name"), True),)


class Holiday(BaseModel):
    term = ForeignKeyField(Term, backref="holidays", on_delete="CASCADE")
    day = DateField()
    name = CharField(default="")

    class Meta:
        indexes = ((("term", "day"), True),)


class Course(BaseModel):
    """A course of a term (item course:<key> of the "items" stream)."""

    key = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, backref="courses")
    term = ForeignKeyField(Term, backref="courses")
    title = CharField()
    category = CharField(max_length=32, default="lesson")
    teacher = CharField(default="")
    room = CharField(default="")
    capacity = IntegerField(default=0)  # 0: no limit
    schedule = TextField(default="[]")  # JSON [{"weekday": 1, "start": "09:00", "end": "11:00"}]
    withdrawn_at = DateTimeField(null=True)
    created_by = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)
    # Who may apply in an enrolment season: ages on the term's first day, from the ID card's birth
    # date (checked at the kiosk; migration 0012).  None: no bound.
    age_min = IntegerField(null=True)
    age_max = IntegerField(null=True)


class LessonChange(BaseModel):
    """One lesson of a course cancelled (停课) or moved (调课); it makes a notice by itself."""

    course = ForeignKeyField(Course, backref="changes", on_delete="CASCADE")
    day = DateField()  # the lesson's own date
    action = CharField(max_length=16)  # cancel, move
    new_start = DateTimeField(null=True)
    new_end = DateTimeField(null=True)
    room = CharField(default="")
    reason = TextField(default="")
    notice = ForeignKeyField(Notice, null=True, backref="lesson_changes")

    class Meta:
        indexes = ((("course", "day"), True),)


class Enrollment(BaseModel):
    """A member on a course's roster (enrolled or waiting), from the console or the kiosks' facts."""

    course = ForeignKeyField(Course, backref="enrollments", on_delete="CASCADE")
    member_no = CharField(max_length=32, index=True)
    status = CharField(max_length=16)  # enrolled, waitlisted, dropped
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("course", "member_no"), True),)


# The kiosk-health report counts each kiosk's skewed facts of the last 7 days: skewed facts are
# few, so an index of those alone costs ingest almost nothing and spares a scan of every Event.
Event.add_index(Event.kiosk, Event.received_at, where=Event.skewed)


class PendingImport(BaseModel):
    """A spreadsheet uploaded for a preview, kept until its confirmation (bureau/console/imports.py):
    in the store, not a worker's memory, so the confirmation may reach any worker.  Only the
    sha256 of its token is kept; it belongs to the session that uploaded it."""

    token_hash = CharField(max_length=64, unique=True)
    session = ForeignKeyField(WebSession, backref="imports", on_delete="CASCADE")
    kind = CharField(max_length=16)  # courses, roster
    term = ForeignKeyField(Term, on_delete="CASCADE")
    course = ForeignKeyField(Course, null=True, on_delete="CASCADE")
    name = CharField()  # the file's name, as uploaded
    data = BlobField()
    created_at = DateTimeField(default=utcnow, index=True)


# --- care, organisations and volunteers (migration 0010; docs/care.md) ------------------------------------

RETIRED = ("离休", "退休")
# The hardships a center records, a short fixed list (collect only what the care work needs).
HARDSHIPS = ("重病", "失能", "空巢", "残疾", "家庭困难")


class Situation(BaseModel):
    """What a center's care work needs to know of a member.  Sensitive: seen and changed only by the
    member's site's staff and the bureau's admins (bureau/care/), never published to a kiosk and
    never carried by a fact.  One row a member, made when staff first record something."""

    member_no = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, backref="situations")
    retired = CharField(max_length=8, default="")  # 离休, 退休 or "" (not recorded)
    party_member = BooleanField(default=False)
    # Entered in the console, as no fact carries one (docs/design.md §9.1): the bureau holds no HMAC
    # key, so a birth date beside an id_hash here does not open the ID number.
    birth_date = DateField(null=True)
    lives_alone = BooleanField(default=False)
    hardship = CharField(max_length=64, default="")  # HARDSHIPS, comma-joined
    phone = CharField(max_length=32, default="")  # the number to call the member on
    contact_user = ForeignKeyField(BureauUser, null=True, backref="cared_for")  # 联系人 with an account
    contact_name = CharField(max_length=64, default="")  # ... or a volunteer's or a relative's name
    emergency_name = CharField(max_length=64, default="")
    emergency_relation = CharField(max_length=16, default="")  # 子女, 配偶 ...
    emergency_phone = CharField(max_length=32, default="")
    plan = TextField(default="")  # 一人一策: what the center does for this member
    in_hospital_since = DateField(null=True)  # 住院: not on the absence list meanwhile
    back_from_hospital = DateField(null=True)  # 出院: on the hospital list until visited after it
    updated_by = CharField(max_length=64, default="")
    updated_at = DateTimeField(default=utcnow)


VISIT_KINDS = ("visit", "call", "hospital")  # 上门走访, 电话问候, 医院探望


class Visit(BaseModel):
    """One visit or call to a member: who, when, how it went, what must follow.  A visit takes the
    member off the care lists whose rule it meets (bureau/care/lists.py)."""

    member_no = CharField(max_length=32)
    site = ForeignKeyField(Site, backref="visits", index=False)
    day = DateField()
    kind = CharField(max_length=16, default="visit")  # VISIT_KINDS
    visitor = CharField(max_length=64)  # who went or called
    reason = CharField(max_length=32, default="")  # the care list it answered: absent, birthday, ...
    outcome = TextField(default="")
    follow_up = TextField(default="")  # "" none needed
    follow_up_done = DateField(null=True)
    recorded_by = CharField(max_length=64)
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member_no", "day"), False), (("site", "day"), False))


ORG_KINDS = ("branch", "temp_branch", "team", "club")  # 党支部, 临时党支部, 志愿服务队, 社团/协会


class Organisation(BaseModel):
    """A party branch (a 临时党支部 of a class too), a volunteer team or a club: item org:<key> of the
    "items" stream for its site's kiosks, with its members' numbers."""

    key = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, null=True, backref="organisations")  # None: the bureau's own
    course = ForeignKeyField(Course, null=True, backref="organisations")  # the class of a 临时党支部
    kind = CharField(max_length=16)  # ORG_KINDS
    name = CharField()
    term_start = DateField(null=True)  # 届期: the 换届 reminder comes ahead of term_end
    term_end = DateField(null=True)
    note = TextField(default="")
    dissolved_at = DateField(null=True)
    created_by = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)


# The branch, team or club holding an activity: its members' sign-ins count as the organisation's
# attendance (主题党日, 组织生活), and they see it first on 近期活动.  Added here, after Organisation, as
# migration 0010 adds it: the table's last column.
Activity._meta.add_field("organisation", ForeignKeyField(Organisation, null=True, backref="activities"))


class OrgMember(BaseModel):
    organisation = ForeignKeyField(Organisation, backref="members", on_delete="CASCADE")
    member_no = CharField(max_length=32, index=True)
    role = CharField(max_length=16, default="成员")  # 书记, 副书记, 委员, 队长, 会长 ... 成员
    since = DateField(null=True)
    until = DateField(null=True)  # left: kept for the 台账 of the years before

    class Meta:
        indexes = ((("organisation", "member_no"), True),)


class SkillDomain(BaseModel):
    """A domain of the 银发人才库 (书画, 医疗, 法律 ...): seeded by migration 0010, extended by the bureau."""

    name = CharField(max_length=32, unique=True)
    position = IntegerField(default=0)


class MemberSkill(BaseModel):
    member_no = CharField(max_length=32)
    domain = ForeignKeyField(SkillDomain, backref="skills")
    detail = CharField(default="")  # 擅长楷书, 退休内科医生 ...

    class Meta:
        indexes = ((("member_no", "domain"), True),)


NEED_STATES = ("open", "assigned", "done", "cancelled")  # 待派单, 已派单, 已完成, 已取消


class Need(BaseModel):
    """A need a center or community posted (群众点单), sent to volunteers with its skill (社区派单) who
    take it (志愿者接单); done, each taker's hours are recorded."""

    site = ForeignKeyField(Site, backref="needs")
    title = CharField()
    domain = ForeignKeyField(SkillDomain, null=True, backref="needs")
    requester = CharField(default="")  # the community, unit or person asking
    place = CharField(default="")
    start = DateTimeField()
    end = DateTimeField(null=True)
    wanted = IntegerField(default=1)  # volunteers needed
    status = CharField(max_length=16, default="open")  # NEED_STATES
    note = TextField(default="")
    created_by = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)


class NeedTaker(BaseModel):
    need = ForeignKeyField(Need, backref="takers", on_delete="CASCADE")
    member_no = CharField(max_length=32, index=True)
    status = CharField(max_length=16, default="offered")  # offered 已派单, accepted 已接单, declined, done
    minutes = IntegerField(null=True)  # service time, when done
    entry_id = CharField(max_length=64, null=True)  # the ledger entry of its points

    class Meta:
        indexes = ((("need", "member_no"), True),)


# --- enrolment season, lottery and the points catalogue (migration 0012; docs/enrolment.md) ---------------


class Season(BaseModel):
    """An enrolment season (报名季) of a site for a term's courses: seniors apply at the kiosk or at the
    desk from `opens` to `closes`; courses with more applicants than places are drawn by lot
    (bureau/enrolment/lottery.py) from a seed fixed before the draw.  Item season:<key>."""

    key = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, backref="seasons")
    term = ForeignKeyField(Term, backref="seasons")  # the term the courses belong to (usually the next)
    title = CharField()  # 2027 春季报名
    opens = DateTimeField()
    closes = DateTimeField()
    draw_at = DateTimeField()  # announced: the draw takes place then, in public
    max_courses = IntegerField(default=2)  # courses a senior may apply for
    members_only = BooleanField(default=True)  # only the site's own members; else any of the bureau
    returning_first = BooleanField(default=True)  # last term's students of a course draw first for it
    # The draw's published inputs: the hash of the closed applicant list (fixed at closing) and the
    # numbers drawn in public on the day (entered by staff); the seed is derived from both.
    applicants_hash = CharField(max_length=64, default="")
    public_numbers = CharField(max_length=64, default="")
    seed = CharField(max_length=64, default="")
    drawn_at = DateTimeField(null=True)
    drawn_by = CharField(max_length=64, default="")
    created_by = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)
    # Applicants at least this old on the term's first day draw before the others (None: no such
    # group; migration 0015).  Fixed once the season opens: applications say only whether they were.
    older_first = IntegerField(null=True)


APPLICATION_STATES = ("applied", "withdrawn", "won", "waitlisted", "refused")


class Application(BaseModel):
    """One senior's application for one course of a season, from the kiosks' `application` facts or
    the desk; after the draw its result and place in the draw order."""

    season = ForeignKeyField(Season, backref="applications", on_delete="CASCADE")
    course = ForeignKeyField(Course, backref="applications", on_delete="CASCADE")
    member_no = CharField(max_length=32, index=True)
    status = CharField(max_length=16, default="applied")  # APPLICATION_STATES
    priority = IntegerField(default=0)  # the priority group it draws in (0 first), stated with the result
    rank = IntegerField(null=True)  # its place in the course's draw order
    age_checked = BooleanField(default=False)
    applied_at = DateTimeField()
    by = CharField(max_length=64, default="")  # staff who applied for the senior ("" the senior)
    reason = TextField(default="")  # why staff applied with a relative's card
    refusal = CharField(default="")  # why the draw left it out (age, not a member, too many)
    # The applicant was checked (an ID card's birth date) to be at least the season's older_first on
    # the term's first day; never the date itself (migration 0015).
    older = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])

    class Meta:
        indexes = ((("season", "course", "member_no"), True),)


class SeasonCourse(BaseModel):
    """A course offered in a season (staff choose which of the term's courses; migration 0013)."""

    season = ForeignKeyField(Season, backref="offered", on_delete="CASCADE")
    course = ForeignKeyField(Course, backref="seasons", on_delete="CASCADE")

    class Meta:
        indexes = ((("season", "course"), True),)


class CatalogueItem(BaseModel):
    """An item of the points catalogue (积分兑换): what it costs, how many are left, when it may be
    asked for.  Item catalogue:<key> for its site's kiosks."""

    key = CharField(max_length=32, unique=True)
    site = ForeignKeyField(Site, null=True, backref="catalogue")  # None: every site
    name = CharField()
    points = IntegerField()
    stock = IntegerField(null=True)  # None: no limit; what is left, less what was handed over
    valid_from = DateField(null=True)
    valid_to = DateField(null=True)
    withdrawn_at = DateTimeField(null=True)
    created_by = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)


REDEMPTION_STATES = ("requested", "handed", "cancelled")


class Redemption(BaseModel):
    """A senior's request for a catalogue item and where it stands, from the kiosks' facts."""

    request = CharField(max_length=64, unique=True)  # the event_id of the request fact
    member_no = CharField(max_length=32, index=True)
    item = ForeignKeyField(CatalogueItem, backref="redemptions")
    site = ForeignKeyField(Site, backref="redemptions")
    state = CharField(max_length=16, default="requested")  # REDEMPTION_STATES
    points = IntegerField()
    requested_at = DateTimeField()
    handed_at = DateTimeField(null=True)
    cancelled_at = DateTimeField(null=True)
    entry = CharField(max_length=64, null=True)  # the redeem ledger entry's event_id
    # Handed over when the bureau counted none left (a kiosk offline): filed all the same, flagged
    # for staff until one of them marks it checked (migration 0014; docs/points.md).
    over_stock = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    checked_by = CharField(max_length=64, default="", constraints=[SQL("DEFAULT ''")])


MODELS = [
    Region,
    *MODELS,
    BureauUser,
    WebSession,
    AuditEntry,
    Series,
    Activity,
    Signup,
    Notice,
    Term,
    Holiday,
    Course,
    LessonChange,
    Enrollment,
    PendingImport,
    DailyAttendance,
    Situation,
    Visit,
    Organisation,
    OrgMember,
    SkillDomain,
    MemberSkill,
    Need,
    NeedTaker,
    Season,
    Application,
    SeasonCourse,
    CatalogueItem,
    Redemption,
]
