"""bureau.programme.activities on both stores: what is saved, what kiosks get, what is audited."""

from datetime import date, datetime

import pytest

from bureau import admin, streams
from bureau.migrations import steps
from bureau.models import Activity, AuditEntry, Series, StreamRow
from bureau.programme import activities
from bureau.programme.activities import ActivityError, Draft
from bureau.store import db, write

from ..conftest import SITE

WALK = Draft("重阳健步行", datetime(2025, 10, 29, 8, 30), datetime(2025, 10, 29, 11, 0), "walk", "滨江公园", 100)


def item_of(activity: Activity) -> tuple[str, dict | None]:
    row = StreamRow.get(StreamRow.entity_id == f"activity:{activity.key}")
    return row.scope, streams.data(row)


def test_an_activity_for_several_sites_is_one_published_item_each(store, kiosk):
    other = admin.add_site("UNI-002", "老年大学")
    with write():
        made = activities.create(WALK, [kiosk.site, other], "admin1")
        (everyone,) = activities.create(WALK, [None], "admin1")
    assert [item_of(a)[0] for a in made] == [f"site:{SITE}", "site:UNI-002"]
    scope, data = item_of(everyone)
    assert scope == "" and everyone.site is None
    assert data == {
        "kind": "activity",
        "key": everyone.key,
        "title": "重阳健步行",
        "category": "walk",
        "place": "滨江公园",
        "start": "2025-10-29T08:30:00",
        "end": "2025-10-29T11:00:00",
        "capacity": 100,
        "open": False,
        "points": None,
        "waitlist": True,
        "window_before_min": None,
        "window_after_min": None,
        "cancelled": False,
        "cancel_reason": "",
        "series_no": None,
        "org": None,
    }
    entries = list(AuditEntry.select().where(AuditEntry.action == "activity.create").order_by(AuditEntry.id))
    assert [(e.username, e.site_id) for e in entries] == [
        ("admin1", kiosk.site.id),
        ("admin1", other.id),
        ("admin1", None),
    ]


def test_a_weekly_series_over_a_month_and_a_year_end_makes_one_activity_a_date(store, kiosk):
    talk = Draft("健康讲座", datetime(2026, 12, 1, 14, 0), datetime(2026, 12, 1, 15, 30), "health_talk")
    with write():
        series, made = activities.weekly(talk, {1, 3}, date(2026, 12, 28), date(2027, 1, 6), [kiosk.site], "staff1")
    # Mon 28 Dec, Wed 30 Dec, Mon 4 Jan, Wed 6 Jan: across the month's and the year's end.
    assert [(a.start, a.end) for a in made] == [
        (datetime(2026, 12, 28, 14, 0), datetime(2026, 12, 28, 15, 30)),
        (datetime(2026, 12, 30, 14, 0), datetime(2026, 12, 30, 15, 30)),
        (datetime(2027, 1, 4, 14, 0), datetime(2027, 1, 4, 15, 30)),
        (datetime(2027, 1, 6, 14, 0), datetime(2027, 1, 6, 15, 30)),
    ]
    assert {a.series_id for a in made} == {series.id} and series.repeat == "weekly" and series.site_id == kiosk.site.id
    assert activities.weekdays_between(date(2028, 2, 27), date(2028, 3, 1), {2}) == [date(2028, 2, 29)]  # leap day
    # One date of the series cancelled: the others stay as they were.
    with write():
        activities.cancel(made[1], "场地维修", "staff1", datetime(2026, 12, 20, 9, 0))
    assert [item_of(a)[1]["cancelled"] for a in made] == [False, True, False, False]
    assert item_of(made[1])[1]["cancel_reason"] == "场地维修"
    entry = AuditEntry.get(AuditEntry.action == "activity.cancel")
    assert (entry.target, entry.reason) == ("健康讲座", "场地维修")
    for days, first, last, words in (
        (set(), date(2027, 1, 1), date(2027, 2, 1), "哪几天"),
        ({2}, date(2027, 2, 1), date(2027, 1, 1), "之后"),
        ({8}, date(2027, 1, 1), date(2027, 2, 1), "哪几天"),
        ({7}, date(2027, 1, 4), date(2027, 1, 5), "没有所选"),
        ({1}, date(2027, 1, 1), date(2030, 1, 1), "最多"),
    ):
        with pytest.raises(ActivityError, match=words), write():
            activities.weekly(talk, days, first, last, [kiosk.site], "staff1")


def test_copy_moves_the_dates_and_yearly_series_count_on(store, kiosk):
    with write():
        (last_year,) = activities.create(WALK, [kiosk.site], "staff1")
    copy = activities.copied(last_year, date(2026, 10, 18))
    assert (copy.title, copy.place, copy.capacity) == ("重阳健步行", "滨江公园", 100)
    assert (copy.start, copy.end) == (datetime(2026, 10, 18, 8, 30), datetime(2026, 10, 18, 11, 0))
    # An activity across midnight keeps its length (3 hours), into a leap day.
    night = activities.copied(
        Activity(
            start=datetime(2026, 2, 28, 22, 0),
            end=datetime(2026, 3, 1, 1, 0),
            **{k: v for k, v in vars(WALK).items() if k not in ("start", "end")},
        ),
        date(2028, 2, 28),
    )
    assert (night.start, night.end) == (datetime(2028, 2, 28, 22, 0), datetime(2028, 2, 29, 1, 0))  # 3 hours
    with write():
        second = activities.next_yearly(last_year, date(2026, 10, 18), "staff1")
        third = activities.next_yearly(second, date(2027, 10, 8), "staff1")
    first = Activity.get_by_id(last_year.id)
    assert [(a.series_no, a.start.date()) for a in (first, second, third)] == [
        (1, date(2025, 10, 29)),
        (2, date(2026, 10, 18)),
        (3, date(2027, 10, 8)),
    ]
    assert first.series_id == second.series_id == third.series_id
    assert Series.get_by_id(first.series_id).repeat == "yearly"
    assert second.copied_from == last_year.key and item_of(third)[1]["series_no"] == 3


def test_edit_and_cancel_are_checked_and_audited(store, kiosk):
    with write():
        (walk,) = activities.create(WALK, [kiosk.site], "staff1")
        edited = activities.edit(
            walk,
            Draft(**{**vars(WALK), "capacity": 80, "waitlist": False, "window_before_min": 60}),
            "staff1",
            datetime(2025, 10, 1, 9, 0),
        )
    assert (edited.capacity, edited.waitlist, item_of(edited)[1]["window_before_min"]) == (80, False, 60)
    entry = AuditEntry.get(AuditEntry.action == "activity.edit")
    assert '"capacity": [100, 80]' in entry.detail
    for draft, words in (
        (Draft(**{**vars(WALK), "title": " "}), "名称"),
        (Draft(**{**vars(WALK), "end": WALK.start}), "结束时间"),
        (Draft(**{**vars(WALK), "category": "dance"}), "dance"),
        (Draft(**{**vars(WALK), "window_after_min": 721}), "时间窗"),
    ):
        with pytest.raises(ActivityError, match=words):
            activities.check(draft)
    with write():
        with pytest.raises(ActivityError, match="原因"):
            activities.cancel(edited, "  ", "staff1", datetime(2025, 10, 2))
        activities.cancel(edited, "天气预报有大雨", "staff1", datetime(2025, 10, 2))
        with pytest.raises(ActivityError, match="已经取消"):
            activities.cancel(Activity.get_by_id(edited.id), "再取消", "staff1", datetime(2025, 10, 3))


def test_version_6_gives_each_published_activity_a_row(store, kiosk):
    """The data step of migration 0006, on activities the CLI published before the table existed."""
    with write():
        streams.publish(
            "items", "activity:old1", {**activities.item(Activity(**vars(WALK), key="old1"))}, f"site:{SITE}"
        )
        streams.publish(
            "items", "activity:gone", {"title": "x", "start": "2025-01-01T09:00:00", "end": "2025-01-01T10:00:00"}
        )
        streams.publish("items", "activity:gone", None)
        steps.published_activities(db)
    (row,) = Activity.select()
    assert (row.key, row.site_id, row.title, row.start, row.capacity, row.created_by) == (
        "old1",
        kiosk.site.id,
        "重阳健步行",
        WALK.start,
        100,
        "migration",
    )
