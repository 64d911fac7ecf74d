"""The bureau's reports: attendance per site, active seniors, the care list, kiosk health and
negative balances.  The CLI (`python -m bureau report …`) and the web page (bureau/web.py) show
the same figures, read by these functions.

Each function reads the store and returns plain dataclasses.  Attendance is counted by the day
the senior signed in at the kiosk (business_day, kiosk local time); times the bureau stamped
itself (last_seen, received_at) are UTC like every stored time.  Queries are peewee expressions
only, so they run the same on SQLite and PostgreSQL, and each reads through an index: the sites
are named in every Attendance query so that the (site, business_day, member_no) index serves it,
and a member's own sign-ins are read through (member_no, business_day).
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from peewee import SQL, fn

from bureau.models import Attendance, DeviceState, Event, EventReject, Kiosk, Member, Site
from contract.cells import csv_row

SILENT_AFTER = timedelta(hours=24)  # a kiosk not heard from for longer needs somebody to look
SKEW_WINDOW = timedelta(days=7)
DEVICE_OK = "ok"  # kiosk.health.Health.state(): ok, silent or absent; a printer's trouble
# state -> TEXT key.  A kiosk's data disk is a device of kind "storage" too (kiosk/sync/device_facts.py):
# ok, low (below the kiosk's threshold) or full.
DEVICE_STATES = {
    "ok": "ok",
    "silent": "device_silent",
    "absent": "absent",
    "low": "storage_low",
    "full": "storage_full",
    # the receipt printer (kiosk/printing/states.py)
    "paper_out": "paper_out",
    "paper_low": "paper_low",
    "cover_open": "cover_open",
    "offline": "offline",
}

# Every heading and word the CLI and the web page show, in one place.
TEXT = {
    "site": "站点",
    "site_name": "站点名称",
    "signins": "签到人次",
    "members": "签到人数",
    "day": "日期",
    "title": "课程/活动",
    "start": "开始时间",
    "count": "人次",
    "people": "人数",
    "active": "活跃长者",
    "registered": "登记长者",
    "rate": "活跃率",
    "all_sites": "全部站点",
    "member_no": "会员号",
    "name": "姓名",
    "phone_last4": "手机尾号",
    "last_signin": "最近签到",
    "joined": "登记日期",
    "never": "从未签到",
    "kiosk": "签到机",
    "last_seen": "最近联系",
    "silent": "失联",
    "backlog": "待上传",
    "rejects": "被拒事实",
    "skewed": "时钟偏差(7天)",
    "version": "软件版本",
    "epoch": "纪元",
    "revoked": "已停用",
    "devices": "设备",
    "device": "设备名",
    "state": "状态",
    "faults": "故障次数",
    "last_error": "最近错误",
    "at": "时间",
    "balance": "积分余额",
    "yes": "是",
    "no": "否",
    "ok": "正常",
    "absent": "未连接",
    "device_silent": "无响应",
    "storage": "存储空间",
    "storage_low": "空间不足",
    "storage_full": "存储空间已满",
    "paper_out": "缺纸",
    "paper_low": "纸快用完",
    "cover_open": "纸仓盖未关",
    "offline": "脱机",
}


# --- attendance ---------------------------------------------------------------------------------


@dataclass
class ItemCount:
    title: str
    start: datetime
    count: int


@dataclass
class SiteAttendance:
    code: str
    name: str
    signins: int = 0
    members: int = 0  # distinct members who signed in
    days: list[tuple[date, int]] = field(default_factory=list)
    items: list[ItemCount] = field(default_factory=list)


def attendance(start: date, end: date, site: str | None = None, detail: bool = True) -> list[SiteAttendance]:
    """Sign-ins from `start` to `end` (both included) per site (every site, or the one coded
    `site`): totals, distinct members, and (with `detail`) counts per day and per lesson or
    activity.  COUNT(*), not COUNT(id): the (site, business_day, member_no) index alone answers
    the totals and the days."""
    sites = _sites(site)
    report = {s.id: SiteAttendance(s.code, s.name) for s in sites}
    in_range = Attendance.site.in_(list(report)) & Attendance.business_day.between(start, end)
    for site_id, signins, members in (
        Attendance.select(Attendance.site, fn.COUNT(SQL("*")), fn.COUNT(Attendance.member_no.distinct()))
        .where(in_range)
        .group_by(Attendance.site)
        .tuples()
    ):
        report[site_id].signins, report[site_id].members = signins, members
    if not detail:
        return list(report.values())
    days = (
        Attendance.select(Attendance.site, Attendance.business_day, fn.COUNT(SQL("*")))
        .where(in_range)
        .group_by(Attendance.site, Attendance.business_day)
        .order_by(Attendance.site, Attendance.business_day)
    )
    for site_id, day, count in days.tuples():
        report[site_id].days.append((_date(day), count))
    items = (
        Attendance.select(Attendance.site, Attendance.title, Attendance.start, fn.COUNT(Attendance.id))
        .where(in_range)
        .group_by(Attendance.site, Attendance.title, Attendance.start)
        .order_by(Attendance.site, Attendance.start, Attendance.title)
    )
    for site_id, title, begins, count in items.tuples():
        report[site_id].items.append(ItemCount(title, _datetime(begins), count))
    return list(report.values())


# --- active seniors -------------------------------------------------------------------------------


@dataclass
class Activity:
    code: str  # "" for the bureau-wide line
    name: str
    active: int  # registered members with a sign-in in the window (at any site)
    registered: int  # active members registered at the site, merged numbers not counted

    @property
    def rate(self) -> float:
        return self.active / self.registered if self.registered else 0.0


def active_seniors(days: int = 30, as_of: date | None = None) -> list[Activity]:
    """Per site (where the member registered), then bureau-wide last: the members who signed in
    at least once in the `days` days up to `as_of` (included), against those registered."""
    as_of = as_of or date.today()
    sites = _sites(None)
    window = Attendance.site.in_([s.id for s in sites]) & Attendance.business_day.between(
        as_of - timedelta(days=days - 1), as_of
    )
    seen = Attendance.select(Attendance.member_no).where(window)
    registered = dict(_roster(Member.site, fn.COUNT(Member.id)).group_by(Member.site).tuples())
    active = dict(
        _roster(Member.site, fn.COUNT(Member.id)).where(Member.member_no.in_(seen)).group_by(Member.site).tuples()
    )
    rows = [Activity(s.code, s.name, active.get(s.id, 0), registered.get(s.id, 0)) for s in sites]
    rows.append(Activity("", TEXT["all_sites"], sum(r.active for r in rows), sum(r.registered for r in rows)))
    return rows


# --- care list -------------------------------------------------------------------------------------


@dataclass
class CareRow:
    member_no: str
    name: str
    phone_last4: str
    site: str
    joined: date | None
    last_signin: date | None  # None: never signed in


def care_list(weeks: int = 4, as_of: date | None = None, site: str | None = None) -> list[CareRow]:
    """Members (active, not merged) not seen for `weeks` weeks up to `as_of`: their last sign-in
    is older, or they never signed in and joined before then (or when, nobody knows).  Those
    gone longest come first; the never-seen before them."""
    since = _since(weeks, as_of)
    # The last sign-in is looked up (an index-only probe of (member_no, business_day)) only for
    # the members already found to be gone: never one MAX over every member's history.
    last = Attendance.select(fn.MAX(Attendance.business_day)).where(Attendance.member_no == Member.member_no)
    query = (
        _roster(Member.member_no, Member.name, Member.phone_last4, Site.code, Member.joined, last)
        .join(Site)
        .where(_gone(since, every_site=not site))
    )
    if site:
        query = query.where(Member.site == _sites(site)[0])
    rows = [
        CareRow(no, name, phone, code, _date(joined), _date(seen))
        for no, name, phone, code, joined, seen in query.tuples()
    ]
    return sorted(rows, key=lambda r: (r.last_signin is not None, r.last_signin or date.min, r.member_no))


def care_counts(weeks: int = 4, as_of: date | None = None) -> list[tuple[str, str, int]]:
    """(site code, site name, members of care_list) per site, every site: one grouped count,
    no member's last sign-in looked up (the bureau's overview of the care list)."""
    sites = _sites(None)
    counts = dict(
        _roster(Member.site, fn.COUNT(Member.id))
        .where(_gone(_since(weeks, as_of), every_site=True))
        .group_by(Member.site)
        .tuples()
    )
    return [(s.code, s.name, counts.get(s.id, 0)) for s in sites]


def gone(weeks: int = 4, as_of: date | None = None, every_site: bool = False):
    """care_list's condition on Member (a query of `roster()`'s): the rule 未来签到 of the care
    lists (bureau/care/lists.py) builds on it rather than on a copy."""
    return _gone(_since(weeks, as_of), every_site)


def roster(*columns):
    """Member.select(*columns) of the active members, each counted once (merged numbers left out)."""
    return _roster(*columns)


def _since(weeks: int, as_of: date | None) -> date:
    return (as_of or date.today()) - timedelta(weeks=weeks)


def _gone(since: date, every_site: bool = False):
    """The condition of care_list on Member: no sign-in since `since` (at any site), and either
    some sign-in before it or a joining day before it (or unknown).

    NOT EXISTS, never NOT IN: PostgreSQL makes it an anti-join whatever its estimates (a NOT IN
    subquery it does not expect to fit in memory it runs again for every member: minutes, before
    a freshly restored store has its statistics).  For one site's members (≈1,500) each is one
    probe of (member_no, business_day); for `every_site` (50,000 members) the sites are named, so
    that the plan reads who signed in since `since` once, from the (site, business_day,
    member_no) index alone, and hashes it."""
    mine = Attendance.member_no == Member.member_no
    recent = mine & (Attendance.business_day >= since)
    if every_site:
        recent &= Attendance.site.in_(Site.select(Site.id))
    ever = fn.EXISTS(Attendance.select(SQL("1")).where(mine))
    return ~fn.EXISTS(Attendance.select(SQL("1")).where(recent)) & (
        Member.joined.is_null() | (Member.joined < since) | ever
    )


# --- kiosk health ------------------------------------------------------------------------------------


@dataclass
class Device:
    device: str
    kind: str
    state: str
    reads: int
    faults: int
    disconnects: int
    last_error: str
    at: datetime


@dataclass
class KioskHealth:
    kiosk_id: str
    name: str
    site: str
    last_seen: datetime | None
    silent: bool  # not heard from for SILENT_AFTER (and not revoked)
    backlog: int  # facts in its outbox the bureau does not hold yet, as of its last push
    rejects: int
    skewed: int  # facts of the last 7 days stamped by a clock off by over 5 minutes
    version: str
    epoch: int
    revoked: bool
    devices: list[Device] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return not self.revoked and (self.silent or any(d.state != DEVICE_OK for d in self.devices))


def kiosk_health(now: datetime) -> list[KioskHealth]:
    """Every kiosk's sync and device health at `now` (UTC, as stored)."""
    rejects = dict(EventReject.select(EventReject.kiosk, fn.COUNT(EventReject.id)).group_by(EventReject.kiosk).tuples())
    # Event.skewed in the WHERE clause lets the partial index of skewed facts serve the count.
    skewed = dict(
        Event.select(Event.kiosk, fn.COUNT(Event.id))
        .where(Event.skewed & (Event.received_at >= now - SKEW_WINDOW))
        .group_by(Event.kiosk)
        .tuples()
    )
    devices: dict[int, list[Device]] = {}
    for d in DeviceState.select().order_by(DeviceState.kiosk, DeviceState.device):
        devices.setdefault(d.kiosk_id, []).append(
            Device(d.device, d.kind, d.state, d.reads, d.faults, d.disconnects, d.last_error, _datetime(d.at))
        )
    kiosks = Kiosk.select(Kiosk, Site).join(Site).order_by(Site.code, Kiosk.kiosk_id)
    return [
        KioskHealth(
            k.kiosk_id,
            k.name,
            k.site.code,
            k.last_seen,
            k.revoked_at is None and (k.last_seen is None or now - k.last_seen > SILENT_AFTER),
            max(0, k.head_seq - k.acked_seq),
            rejects.get(k.id, 0),
            skewed.get(k.id, 0),
            k.client_version,
            k.epoch,
            k.revoked_at is not None,
            devices.get(k.id, []),
        )
        for k in kiosks
    ]


# --- points ---------------------------------------------------------------------------------------------


@dataclass
class Negative:
    member_no: str
    name: str
    site: str
    balance: int


def points_overview() -> list[Negative]:
    """Members whose confirmed balance is below zero, lowest first: staff review these (the
    bureau never corrects a balance by itself)."""
    query = (
        _roster(Member.member_no, Member.name, Site.code, Member.balance, active_only=False)
        .join(Site)
        .where(Member.balance < 0)
        .order_by(Member.balance, Member.member_no)
    )
    return [Negative(*row) for row in query.tuples()]


# --- helpers -----------------------------------------------------------------------------------------


class UnknownSite(Exception):
    """A report asked for a site code the bureau does not know."""


def _sites(code: str | None) -> list[Site]:
    query = Site.select().order_by(Site.code)
    sites = list(query.where(Site.code == code) if code else query)
    if code and not sites:
        raise UnknownSite(code)
    return sites


def _roster(*columns, active_only: bool = True):
    """Member.select(*columns) counting each member once: a merged number is an alias of its
    canonical member.  Only active members, unless `active_only` is false."""
    query = Member.select(*columns).where(Member.merged_into.is_null())
    return query.where(Member.active) if active_only else query


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as the bureau's own clock shows it, to the minute ("" for None)."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _date(value) -> date | None:
    # SQLite hands back an aggregate (MAX of a date) as text, PostgreSQL as a date.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# --- as tables: the CLI's text and CSV -----------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[list]


def attendance_tables(start: date, end: date, site: str | None = None) -> list[Table]:
    sites = attendance(start, end, site)
    t = TEXT
    return [
        Table(
            [t["site"], t["site_name"], t["signins"], t["members"]],
            [[s.code, s.name, s.signins, s.members] for s in sites],
        ),
        Table([t["site"], t["day"], t["count"]], [[s.code, day, count] for s in sites for day, count in s.days]),
        Table(
            [t["site"], t["title"], t["start"], t["count"]],
            [[s.code, i.title, i.start.strftime("%Y-%m-%d %H:%M"), i.count] for s in sites for i in s.items],
        ),
    ]


def active_tables(days: int = 30, as_of: date | None = None) -> list[Table]:
    t = TEXT
    return [
        Table(
            [t["site"], t["site_name"], t["active"], t["registered"], t["rate"]],
            [[a.code or "*", a.name, a.active, a.registered, f"{a.rate:.0%}"] for a in active_seniors(days, as_of)],
        )
    ]


def care_tables(weeks: int = 4, as_of: date | None = None, site: str | None = None) -> list[Table]:
    t = TEXT
    return [
        Table(
            [t["member_no"], t["name"], t["phone_last4"], t["site"], t["last_signin"], t["joined"]],
            [
                [r.member_no, r.name, r.phone_last4, r.site, r.last_signin or t["never"], r.joined or "-"]
                for r in care_list(weeks, as_of, site)
            ],
        )
    ]


def kiosk_tables(now: datetime, site: str | None = None) -> list[Table]:
    t = TEXT
    health = [k for k in kiosk_health(now) if site is None or k.site == site]
    yes_no = {True: t["yes"], False: t["no"]}
    return [
        Table(
            [
                t["kiosk"],
                t["site"],
                t["last_seen"],
                t["silent"],
                t["backlog"],
                t["rejects"],
                t["skewed"],
                t["version"],
                t["epoch"],
                t["revoked"],
            ],
            [
                [
                    k.kiosk_id,
                    k.site,
                    local_time(k.last_seen) or "-",
                    yes_no[k.silent],
                    k.backlog,
                    k.rejects,
                    k.skewed,
                    k.version or "-",
                    k.epoch,
                    yes_no[k.revoked],
                ]
                for k in health
            ],
        ),
        Table(
            [t["kiosk"], t["device"], t["state"], t["faults"], t["last_error"], t["at"]],
            [
                [
                    k.kiosk_id,
                    d.device,
                    TEXT[DEVICE_STATES[d.state]] if d.state in DEVICE_STATES else d.state,
                    d.faults,
                    d.last_error or "-",
                    d.at.strftime("%Y-%m-%d %H:%M"),
                ]
                for k in health
                for d in k.devices
            ],
        ),
    ]


def points_tables(site: str | None = None) -> list[Table]:
    t = TEXT
    return [
        Table(
            [t["member_no"], t["name"], t["site"], t["balance"]],
            [[n.member_no, n.name, n.site, n.balance] for n in points_overview() if site is None or n.site == site],
        )
    ]


def as_text(tables: list[Table]) -> str:
    """The tables as aligned columns for a terminal (a Chinese character takes two columns)."""
    blocks = []
    for table in tables:
        cells = [[printable(str(c)) for c in row] for row in [table.headers, *table.rows]]
        widths = [max(_width(row[i]) for row in cells) for i in range(len(table.headers))]
        lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def as_csv(tables: list[Table]) -> str:
    """The tables as one CSV text, an empty line between two; it starts with a BOM so that Excel
    reads the Chinese as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerows(map(csv_row, [table.headers, *table.rows]))
    return "\ufeff" + out.getvalue()


# C0 and C1 control characters: an ESC or a CSI in a name would drive the operator's terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` for a terminal: control characters taken out (the store refuses them in names now;
    one stored before, or in a reason, must still not reach the terminal as it is)."""
    return _CONTROL.sub("", text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
