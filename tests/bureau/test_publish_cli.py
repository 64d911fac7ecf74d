"""`python -m bureau rules|activity|course|settings|streams …`: what staff publish for kiosks.
Each command runs once as an operator runs it; what publish.py refuses is checked in-process."""

import re
from datetime import timedelta

import pytest

from bureau import publish, streams
from bureau.models import AuditEntry, StreamMeta, StreamRow
from bureau.publish import PublishError
from bureau.store import utcnow, write

from .conftest import SITE, cli

KIOSK = f"{SITE}-K01"


def refused(done, *words: str) -> None:
    """Exit status 2 and one line on stderr that says why."""
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("python -m bureau: "), done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def run(url: str, tmp_path, *args: str) -> str:
    done = cli(url, *args, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done
    return done.stdout


def pulled(stream: str, site: str = SITE, kiosk: str = KIOSK) -> list[tuple[str, dict | None]]:
    return [(i["id"], i["data"]) for i in streams.pull(stream, 0, None, 1000, site, kiosk)["items"]]


def test_rules_set_publishes_the_next_version(store, store_url, tmp_path):
    assert run(store_url, tmp_path, "rules", "set", "lesson", "--points", "2", "--daily-cap", "4").splitlines() == [
        "category\tpoints\tper\tdaily_cap\tonce_per_item\tversion",
        "lesson\t2\tattendance\t4\tyes\t1",
    ]
    # What is not given stays as the last version had it.
    run(store_url, tmp_path, "rules", "set", "lesson", "--points", "3", "--once-per-item", "no")
    run(store_url, tmp_path, "rules", "set", "volunteer", "--points", "5", "--per", "hour")
    assert run(store_url, tmp_path, "rules", "list").splitlines()[1:] == [
        "lesson\t3\tattendance\t4\tno\t2",
        "volunteer\t5\thour\t0\tyes\t1",
    ]
    assert pulled("rules") == [
        (
            "lesson",
            {
                "category": "lesson",
                "points": 3,
                "per": "attendance",
                "daily_cap": 4,
                "once_per_item": False,
                "version": 2,
            },
        ),
        (
            "volunteer",
            {"category": "volunteer", "points": 5, "per": "hour", "daily_cap": 0, "once_per_item": True, "version": 1},
        ),
    ]
    refused(
        cli(store_url, "rules", "set", "walking", "--points", "1", cwd=tmp_path), "unknown rule category", "walking"
    )
    assert StreamMeta.get(StreamMeta.stream == "rules").head_rev == 3


def test_bad_rules_are_refused(store):
    for call, words in (
        (lambda: publish.set_rule("walking", 1), "unknown rule category 'walking'"),
        (lambda: publish.set_rule("party", -1), "points must be at least 0"),
        (lambda: publish.set_rule("party", 1, per="day"), "unknown --per 'day'"),
        (lambda: publish.set_rule("party", 1, daily_cap=-2), "daily cap must be at least 0"),
    ):
        with pytest.raises(PublishError, match=re.escape(words)):
            call()
    assert streams.rows("rules") == []


# What the console added to an activity's item (bureau.programme.activities.item).
NEW_FIELDS = {
    "waitlist": True,
    "window_before_min": None,
    "window_after_min": None,
    "cancelled": False,
    "cancel_reason": "",
    "series_no": None,
    "org": None,
}


def test_activity_publish_list_and_withdraw(store, store_url, tmp_path, kiosk):
    key = run(
        store_url,
        tmp_path,
        "activity",
        "publish",
        "--title",
        "重阳节游园",
        "--start",
        "2026-10-18 09:00",
        "--end",
        "2026-10-18 11:30",
        "--site",
        SITE,
        "--place",
        "人民公园",
        "--category",
        "walk",
        "--capacity",
        "30",
        "--open",
        "--points",
        "5",
    ).strip()
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    everyone = run(
        store_url,
        tmp_path,
        "activity",
        "publish",
        "--title",
        "健康讲座",
        "--start",
        "2026-10-20T14:00",
        "--end",
        "2026-10-20T15:00",
    ).strip()
    assert run(store_url, tmp_path, "activity", "list").splitlines() == [
        "key\tscope\tstart\tend\tcategory\ttitle",
        f"{key}\tsite:{SITE}\t2026-10-18T09:00:00\t2026-10-18T11:30:00\twalk\t重阳节游园",
        f"{everyone}\t*\t2026-10-20T14:00:00\t2026-10-20T15:00:00\tactivity\t健康讲座",
    ]
    assert pulled("items") == [
        (
            f"activity:{key}",
            {
                "kind": "activity",
                "key": key,
                "title": "重阳节游园",
                "category": "walk",
                "place": "人民公园",
                "start": "2026-10-18T09:00:00",
                "end": "2026-10-18T11:30:00",
                "capacity": 30,
                "open": True,
                "points": 5,
                **NEW_FIELDS,
            },
        ),
        (
            f"activity:{everyone}",
            {
                "kind": "activity",
                "key": everyone,
                "title": "健康讲座",
                "category": "activity",
                "place": "",
                "start": "2026-10-20T14:00:00",
                "end": "2026-10-20T15:00:00",
                "capacity": 0,
                "open": False,
                "points": None,
                **NEW_FIELDS,
            },
        ),
    ]
    assert pulled("items", "UNI-002", "UNI-002-K01") == [(f"activity:{everyone}", pulled("items")[1][1])]

    assert run(store_url, tmp_path, "activity", "withdraw", key) == f"activity {key} withdrawn\n"
    # Withdrawn is cancelled: still published, so kiosks tell the seniors who registered.
    withdrawn = pulled("items")[-1]
    assert withdrawn[0] == f"activity:{key}" and withdrawn[1]["cancelled"] is True
    assert withdrawn[1]["cancel_reason"] == publish.WITHDRAWN
    assert AuditEntry.get(AuditEntry.action == "activity.cancel").username.startswith("cli:")
    assert StreamRow.get(StreamRow.entity_id == f"activity:{key}").scope == f"site:{SITE}"  # the same kiosks
    assert len(run(store_url, tmp_path, "activity", "list").splitlines()) == 2
    refused(cli(store_url, "activity", "withdraw", key, cwd=tmp_path), "no published activity")
    assert StreamMeta.get(StreamMeta.stream == "items").head_rev == 3


def test_bad_activities_are_refused(store, kiosk):
    def activity(**changes):
        return publish.publish_activity(
            **{"title": "讲座", "start": "2026-11-02 14:00", "end": "2026-11-02 15:00", **changes}
        )

    for changes, words in (
        ({"start": "2026-13-02 14:00"}, "--start '2026-13-02 14:00': not a date"),
        ({"end": "tomorrow"}, "--end 'tomorrow': not a date"),
        ({"start": "2026-11-02 14:00+08:00"}, "without a zone"),
        ({"end": "2026-11-02 14:00"}, "ends (2026-11-02 14:00) before it starts"),
        ({"site": "NOPE-9"}, "unknown site 'NOPE-9'"),
        ({"category": "dance"}, "unknown activity category 'dance'"),
        ({"title": "  "}, "title cannot be empty"),
        ({"capacity": -1}, "capacity must be at least 0"),
        ({"points": -5}, "points must be at least 0"),
    ):
        with pytest.raises(PublishError, match=re.escape(words)):
            activity(**changes)
    with pytest.raises(PublishError, match="no published activity 'abc'"):
        publish.withdraw_activity("abc")
    assert streams.rows("items") == []


def test_course_publish_and_list(store, store_url, tmp_path, kiosk):
    key = run(
        store_url,
        tmp_path,
        "course",
        "publish",
        "--site",
        SITE,
        "--title",
        "太极拳（二）班",
        "--term-name",
        "2026 秋季",
        "--term-start",
        "2026-09-01",
        "--term-end",
        "2027-01-15",
        "--weekly",
        "1 09:00-11:00",
        "--weekly",
        "4 14:30-16:00",
        "--teacher",
        "李老师",
        "--room",
        "201",
        "--capacity",
        "40",
        "--category",
        "太极",
    ).strip()
    assert pulled("items") == [
        (
            f"course:{key}",
            {
                "kind": "course",
                "key": key,
                "title": "太极拳（二）班",
                "category": "太极",
                "teacher": "李老师",
                "room": "201",
                "capacity": 40,
                "age_min": None,
                "age_max": None,
                "term": {"name": "2026 秋季", "start": "2026-09-01", "end": "2027-01-15"},
                "schedule": [
                    {"weekday": 1, "start": "09:00", "end": "11:00"},
                    {"weekday": 4, "start": "14:30", "end": "16:00"},
                ],
                "holidays": [],
                "changes": [],
            },
        )
    ]
    assert pulled("items", "UNI-002", "UNI-002-K01") == []
    assert run(store_url, tmp_path, "course", "list").splitlines()[1:] == [
        f"{key}\tsite:{SITE}\t2026-09-01..2027-01-15\t1 09:00-11:00,4 14:30-16:00\t太极\t太极拳（二）班"
    ]

    refused(
        cli(
            store_url,
            "course",
            "publish",
            "--site",
            "NOPE-9",
            "--title",
            "国画",
            "--term-name",
            "秋",
            "--term-start",
            "2026-09-01",
            "--term-end",
            "2027-01-15",
            "--weekly",
            "2 09:00-11:00",
            cwd=tmp_path,
        ),
        "unknown site",
        "NOPE-9",
    )
    assert StreamMeta.get(StreamMeta.stream == "items").head_rev == 1


def test_bad_courses_are_refused(store, kiosk):
    def course(**changes):
        return publish.publish_course(
            **{
                "site": SITE,
                "title": "国画",
                "term_name": "秋",
                "term_start": "2026-09-01",
                "term_end": "2027-01-15",
                "weekly": ["2 09:00-11:00"],
                **changes,
            }
        )

    for changes, words in (
        ({"weekly": ["8 09:00-11:00"]}, "--weekly '8 09:00-11:00'"),
        ({"weekly": ["2 11:00-09:00"]}, "--weekly '2 11:00-09:00'"),
        ({"weekly": ["2 09:00-24:30"]}, "--weekly '2 09:00-24:30'"),
        ({"weekly": []}, "at least one --weekly"),
        ({"term_end": "2026-08-01"}, "term ends (2026-08-01) before it starts"),
        ({"term_start": "2026-9-1x"}, "--term-start '2026-9-1x': not a date"),
        ({"site": "NOPE-9"}, "unknown site 'NOPE-9'"),
        ({"term_name": ""}, "term name cannot be empty"),
    ):
        with pytest.raises(PublishError, match=re.escape(words)):
            course(**changes)
    assert streams.rows("items") == []


def test_settings_for_every_kiosk_a_site_or_one_kiosk(store, store_url, tmp_path, kiosk):
    assert (
        run(store_url, tmp_path, "settings", "set", "display.mask_names=false", "sync.pull_every_s=120")
        == '*\t{"display.mask_names":false,"sync.pull_every_s":120}\n'
    )
    run(store_url, tmp_path, "settings", "set", "--site", SITE, "checkin.window_before_min=15")
    run(store_url, tmp_path, "settings", "set", "--kiosk", KIOSK, "display.open_from=08:00")
    # Setting a level again adds to (or replaces) what it has.
    run(store_url, tmp_path, "settings", "set", "--kiosk", KIOSK, "sync.nightly_at=03:15", "display.open_from=07:45")
    assert run(store_url, tmp_path, "settings", "list").splitlines() == [
        '*\t{"display.mask_names":false,"sync.pull_every_s":120}',
        f'site:{SITE}\t{{"checkin.window_before_min":15}}',
        f'{KIOSK}\t{{"display.open_from":"07:45","sync.nightly_at":"03:15"}}',
    ]
    assert [(i, s) for i, s in pulled("settings")] == [
        ("*", {"display.mask_names": False, "sync.pull_every_s": 120}),
        (f"site:{SITE}", {"checkin.window_before_min": 15}),
        (KIOSK, {"display.open_from": "07:45", "sync.nightly_at": "03:15"}),
    ]
    assert pulled("settings", SITE, f"{SITE}-K02") == pulled("settings")[:2]

    refused(cli(store_url, "settings", "set", "display.width=800", cwd=tmp_path), "display.width", "not a setting")
    assert StreamMeta.get(StreamMeta.stream == "settings").head_rev == 4


def test_bad_settings_are_refused(store, kiosk):
    for (values, level), words in (
        ((["display.width=800"], {}), "'display.width' is not a setting"),
        ((["display.mask_names"], {}), "'display.mask_names' is not a setting"),
        ((["display.mask_names=yes"], {}), "display.mask_names='yes': not a valid value"),
        ((["display.open_until=25:00"], {}), "display.open_until='25:00'"),
        ((["sync.nightly_at=2:30"], {}), "sync.nightly_at='2:30'"),
        ((["sync.pull_every_s=5"], {}), "sync.pull_every_s='5'"),
        ((["checkin.window_after_min=ten"], {}), "checkin.window_after_min='ten'"),
        ((["checkin.window_after_min=1441"], {}), "checkin.window_after_min='1441'"),
        (([], {}), "nothing to set"),
        ((["sync.pull_every_s=60"], {"kiosk": "DEMO-001-K09"}), "unknown kiosk"),
        ((["sync.pull_every_s=60"], {"site": "NOPE-9"}), "unknown site"),
        ((["sync.pull_every_s=60"], {"site": SITE, "kiosk": KIOSK}), "not both"),
    ):
        with pytest.raises(PublishError, match=re.escape(words)):
            publish.set_settings(values, **level)
    # Values are typed: true/false, whole numbers, HH:MM.
    assert publish.set_settings(
        ["display.mask_names=TRUE", "checkin.window_after_min=0", "display.open_until=21:30"]
    ) == ("*", {"display.mask_names": True, "checkin.window_after_min": 0, "display.open_until": "21:30"})


def test_streams_list_trim_and_reset(store, store_url, tmp_path, kiosk):
    gone = publish.publish_activity("讲座", "2026-11-02 14:00", "2026-11-02 15:00")
    with write():  # a tombstone, as an older bureau withdrew an activity
        streams.publish("items", f"activity:{gone}", None)
    publish.publish_activity("讲座", "2026-11-03 14:00", "2026-11-03 15:00")
    handles = {m.stream: m.handle for m in StreamMeta.select()}
    assert run(store_url, tmp_path, "streams", "list").splitlines() == [
        "stream\thandle\thead_rev\tmin_retained_rev\trows"
    ] + [
        f"{s}\t{handles[s]}\t{rev}\t0\t{rows}"
        for s, rev, rows in (
            ("balances", 0, 0),
            ("cards", 0, 0),
            ("items", 3, 2),
            ("members", 0, 0),
            ("rules", 0, 0),
            ("settings", 0, 0),
            ("sites", 1, 1),
        )
    ]

    StreamRow.update(changed_at=utcnow() - timedelta(days=181)).execute()
    assert run(store_url, tmp_path, "streams", "trim").splitlines() == [
        f"{s}\tremoved {1 if s == 'items' else 0}\tmin_retained_rev {2 if s == 'items' else 0}" for s in streams.STREAMS
    ]
    assert StreamRow.select().where(StreamRow.stream == "items").count() == 1

    done = run(store_url, tmp_path, "streams", "reset", "members")
    new = StreamMeta.get(StreamMeta.stream == "members").handle
    assert done == f"stream members handle {new}\n" and new != handles["members"]
    assert StreamMeta.get(StreamMeta.stream == "items").handle == handles["items"]
    refused(cli(store_url, "streams", "reset", "roster", cwd=tmp_path), "unknown stream", "roster")
    with pytest.raises(PublishError, match="--days cannot be negative"):
        publish.trim(-1)
    assert publish.trim(30)["items"] == (0, 2)  # nothing old enough is left
