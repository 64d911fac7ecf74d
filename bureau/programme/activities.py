"""Activities (活动) the console and the CLI make: create, edit, copy, cancel, and series of them.

Each Activity row is item activity:<key> of the "items" stream, for its site's kiosks (scope
"site:CODE") or, site NULL, for every kiosk (scope ""):

    {"kind": "activity", "key": K, "title": T, "category": C, "place": P,
     "start": "2026-12-01T09:00:00", "end": "2026-12-01T11:00:00", "capacity": 0, "open": false,
     "points": null, "waitlist": true, "window_before_min": null, "window_after_min": null,
     "cancelled": false, "cancel_reason": "", "series_no": null, "org": null}

"org" is the key of the organisation holding it (item org:<key>, bureau/organisations), or null.

A cancelled activity stays published with cancelled=true, so the kiosks can tell the seniors who
registered.  Publishing for several chosen sites makes one row per site (each its own item, each
edited or cancelled on its own); "every site" is one row with site NULL, which only the bureau's
accounts change.  Every function here runs inside the caller's store.write() and audits itself.
"""

import uuid
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

from bureau import audit, streams
from bureau.models import Activity, Attendance, Member, Series, Signup, Site

# The categories staff choose from; the kiosk earns points under contract.points.ACTIVITY_CATEGORY
# (party_day, volunteer) or else as "activity" (health_talk included).
CATEGORIES = {
    "report": "报告会",
    "performance": "文体",
    "walk": "健步行",
    "party_day": "主题党日",
    "volunteer": "志愿服务",
    "health_talk": "健康讲座",
    "activity": "其他",
}
TITLE_MAX, PLACE_MAX, REASON_MAX = 60, 60, 200
WINDOW_MAX = 12 * 60  # minutes: the kiosk looks no further than this for what is due (kiosk.checkin)
SERIES_MAX = 120  # activities one weekly series makes at once: about two years of one weekday


class ActivityError(ValueError):
    """An activity that cannot be saved (the message says why, in Chinese, for staff)."""


@dataclass(frozen=True)
class Draft:
    """What a form (or the CLI) says of an activity, before it is saved."""

    title: str
    start: datetime
    end: datetime
    category: str = "activity"
    place: str = ""
    capacity: int = 0
    waitlist: bool = True
    open: bool = False
    points: int | None = None
    window_before_min: int | None = None
    window_after_min: int | None = None
    organisation_id: int | None = None  # the branch, team or club holding it (bureau/organisations)


def check(draft: Draft) -> Draft:
    """The draft with its text trimmed, or ActivityError saying what is wrong."""
    draft = replace(draft, title=draft.title.strip(), place=draft.place.strip())
    if not draft.title:
        raise ActivityError("请填写活动名称。")
    if len(draft.title) > TITLE_MAX or len(draft.place) > PLACE_MAX:
        raise ActivityError(f"太长了：活动名称和地点最多 {TITLE_MAX} 个字。")
    if draft.category not in CATEGORIES:
        raise ActivityError(f"没有「{draft.category}」这类活动。")
    if draft.end <= draft.start:
        raise ActivityError("活动的结束时间要晚于开始时间。")
    if draft.capacity < 0 or (draft.points is not None and draft.points < 0):
        raise ActivityError("名额和积分不能是负数。")
    for window in (draft.window_before_min, draft.window_after_min):
        if window is not None and not 0 <= window <= WINDOW_MAX:
            raise ActivityError(f"签到时间窗应为 0 到 {WINDOW_MAX} 分钟。")
    return draft


# --- one activity ---------------------------------------------------------------------------------------


def create(
    draft: Draft,
    sites: list[Site | None],
    username: str,
    series: Series | None = None,
    series_no: int | None = None,
    copied_from: Activity | None = None,
) -> list[Activity]:
    """One published activity for each of `sites` (None: every site), audited."""
    draft = check(draft)
    if not sites:
        raise ActivityError("请至少选择一个站点。")
    made = []
    for site in sites:
        activity = Activity.create(
            key=uuid.uuid4().hex,
            site=site,
            series=series,
            series_no=series_no,
            copied_from=copied_from.key if copied_from else None,
            created_by=username,
            **asdict(draft),
        )
        publish(activity)
        detail = {"key": activity.key, **asdict(draft), "series_no": series_no}
        if copied_from is not None:
            detail["copied_from"] = copied_from.key
        audit.record(username, "activity.create", activity.title, site, detail)
        made.append(activity)
    return made


def edit(activity: Activity, draft: Draft, username: str, now: datetime) -> Activity:
    """The activity as `draft` says, published again, audited with what changed."""
    draft = check(draft)
    before = draft_of(activity)
    changed = {k: [getattr(before, k), v] for k, v in asdict(draft).items() if getattr(before, k) != v}
    Activity.update(updated_at=now, **asdict(draft)).where(Activity.id == activity.id).execute()
    activity = Activity.get_by_id(activity.id)
    publish(activity)
    audit.record(username, "activity.edit", activity.title, activity.site, {"key": activity.key, "changed": changed})
    return activity


def cancel(activity: Activity, reason: str, username: str, now: datetime) -> Activity:
    """Cancelled, with the reason the kiosks tell the seniors who registered; stays published."""
    reason = reason.strip()
    if not reason:
        raise ActivityError("请填写取消的原因：签到机会告诉已报名的老人。")
    if len(reason) > REASON_MAX:
        raise ActivityError(f"取消原因最多 {REASON_MAX} 个字。")
    if activity.cancelled_at is not None:
        raise ActivityError("这个活动已经取消了。")
    Activity.update(cancelled_at=now, cancel_reason=reason, updated_at=now).where(Activity.id == activity.id).execute()
    activity = Activity.get_by_id(activity.id)
    publish(activity)
    audit.record(username, "activity.cancel", activity.title, activity.site, {"key": activity.key}, reason)
    return activity


def draft_of(activity: Activity) -> Draft:
    return Draft(**{k: getattr(activity, k) for k in Draft.__dataclass_fields__})


def copied(activity: Activity, day: date) -> Draft:
    """A new activity prefilled from `activity`, moved to `day` at the same times (「复制去年的重阳健步行」)."""
    shift = datetime.combine(day, activity.start.time()) - activity.start
    return replace(draft_of(activity), start=activity.start + shift, end=activity.end + shift)


# --- series ---------------------------------------------------------------------------------------------


def weekdays_between(first: date, last: date, weekdays: set[int]) -> list[date]:
    """Every date from `first` to `last` (both included) whose ISO weekday (Monday 1) is chosen."""
    days = []
    day = first
    while day <= last:
        if day.isoweekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def weekly(
    draft: Draft, weekdays: set[int], first: date, last: date, sites: list[Site | None], username: str
) -> tuple[Series, list[Activity]]:
    """A weekly series: one activity (per site) on each chosen weekday from `first` to `last`, at
    the draft's times; each is then edited or cancelled on its own."""
    draft = check(draft)
    if not weekdays or not weekdays <= set(range(1, 8)):
        raise ActivityError("请选择每周的哪几天。")
    if last < first:
        raise ActivityError("重复的结束日期要在开始日期之后。")
    days = weekdays_between(first, last, weekdays)
    if not days:
        raise ActivityError("这段日期里没有所选的星期几。")
    if len(days) > SERIES_MAX:
        raise ActivityError(f"一次最多生成 {SERIES_MAX} 次活动，请缩短日期范围。")
    series = _series(draft.title, sites, "weekly")
    made = []
    for day in days:
        made += create(_on(draft, day), sites, username, series=series)
    audit.record(username, "series.create", draft.title, _one_site(sites), {"key": series.key, "dates": len(days)})
    return series, made


def next_yearly(previous: Activity, day: date, username: str) -> Activity:
    """The next of a yearly series (the 17th 健步行 after the 16th), copied from `previous` to
    `day`; `previous` starts the series if it had none (as the 1st, unless numbered)."""
    series = previous.series
    if series is None or series.repeat != "yearly":
        series = Series.create(key=uuid.uuid4().hex, site=previous.site, title=previous.title, repeat="yearly")
        Activity.update(series=series, series_no=previous.series_no or 1).where(Activity.id == previous.id).execute()
        previous = Activity.get_by_id(previous.id)
    last = max(a.series_no or 0 for a in series.activities)
    (made,) = create(copied(previous, day), [previous.site], username, series, last + 1, copied_from=previous)
    return made


def _on(draft: Draft, day: date) -> Draft:
    length = draft.end - draft.start
    start = datetime.combine(day, draft.start.time())
    return replace(draft, start=start, end=start + length)


def _series(title: str, sites: list[Site | None], repeat: str) -> Series:
    return Series.create(key=uuid.uuid4().hex, site=_one_site(sites), title=title, repeat=repeat)


def _one_site(sites: list[Site | None]) -> Site | None:
    """The site a series belongs to: its only site, else None (several sites, or every site)."""
    return sites[0] if len(sites) == 1 else None


# --- publishing -----------------------------------------------------------------------------------------


def publish(activity: Activity) -> None:
    streams.publish("items", f"activity:{activity.key}", item(activity), scope(activity.site))


def item(activity: Activity) -> dict:
    """The activity as the kiosks get it (kiosk/sync/apply.py _activity)."""
    return {
        "kind": "activity",
        "key": activity.key,
        "title": activity.title,
        "category": activity.category,
        "place": activity.place,
        "start": activity.start.isoformat(),
        "end": activity.end.isoformat(),
        "capacity": activity.capacity,
        "open": activity.open,
        "points": activity.points,
        "waitlist": activity.waitlist,
        "window_before_min": activity.window_before_min,
        "window_after_min": activity.window_after_min,
        "cancelled": activity.cancelled_at is not None,
        "cancel_reason": activity.cancel_reason,
        "series_no": activity.series_no,
        "org": activity.organisation.key if activity.organisation_id else None,
    }


def scope(site: Site | None) -> str:
    return f"site:{site.code}" if site is not None else ""


# --- who registered and who came ------------------------------------------------------------------------

SIGNUP_STATUS = {"registered": "已报名", "waitlisted": "候补", "cancelled": "已取消"}


@dataclass(frozen=True)
class Roll:
    """An activity's registrations and sign-ins at the sites asked about: (member no, name, status
    or method, when) each, in order of time."""

    signups: list[tuple[str, str, str, datetime]]
    attended: list[tuple[str, str, str, datetime]]

    def count(self, status: str) -> int:
        return sum(1 for s in self.signups if s[2] == status)


def roll(activity: Activity, site_ids: list[int]) -> Roll:
    """Who registered for `activity` (the kiosks' registration facts, bureau.rules) and who signed
    in to it (Attendance, known by site, title and start) at the sites of `site_ids`."""
    found = (
        Signup.select()
        .where(Signup.activity == activity, Signup.site.in_(site_ids))
        .order_by(Signup.at, Signup.member_no)
    )
    came = (
        Attendance.select()
        .where(
            Attendance.kind == "activity",
            Attendance.title == activity.title,
            Attendance.start == activity.start,
            Attendance.site.in_([activity.site.id] if activity.site else site_ids),
        )
        .order_by(Attendance.at, Attendance.member_no)
    )
    signups = [(s.member_no, s.status, s.at) for s in found]
    attended = [(a.member_no, a.method, a.at) for a in came]
    names = _names({no for no, _, _ in signups + attended})
    return Roll(
        [(no, names.get(no, ""), status, at) for no, status, at in signups],
        [(no, names.get(no, ""), method, at) for no, method, at in attended],
    )


def _names(numbers: set[str]) -> dict[str, str]:
    if not numbers:
        return {}
    return {
        m.member_no: m.name for m in Member.select(Member.member_no, Member.name).where(Member.member_no.in_(numbers))
    }
