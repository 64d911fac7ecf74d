"""Volunteer hours in 我的积分: an entry's service and hours (entered here, or the bureau's from
another site), and the year's total without the entries a correction reversed."""

from datetime import datetime

from kiosk.points import ledger, passbook
from kiosk.staff.audit import Actor
from kiosk.store.models import PointsEntry, Staff
from screens import present_service
from tests.kiosk.sync.test_apply import entry, here, pull, put  # noqa: F401  (here: the fixture)

NOW = datetime(2025, 3, 10, 15, 0)


def lines(member_no: str) -> list[tuple[str, str]]:
    book = passbook.passbook(member_no, per_page=10)
    return [(r.what, r.amount) for r in map(present_service.passbook_row, book.entries)]


def test_a_volunteer_entry_shows_its_service_and_hours_and_the_year_counts_them(world, here):
    desk = Actor.of(Staff.create(name="李红", pin_hash="-", role="staff", site=world.site), world.settings)
    admin = Actor.of(Staff.create(name="张主任", pin_hash="-", role="admin", site=world.site), world.settings)
    wang = world.member("DM9001", "王建华")
    other = world.member("DM9002", "李秀英")
    ledger.volunteer(desk, "DM9001", 2, "社区助老义诊", NOW.replace(day=3))
    wrong = ledger.volunteer(desk, "DM9001", 3, "library", NOW.replace(day=5))
    ledger.reverse(admin, wrong.entry_id, "wrong_member", NOW.replace(day=6))
    ledger.volunteer(desk, "DM9002", 4, "library", NOW)  # another member's
    world.entry(wang, 6, "volunteer", datetime(2024, 12, 30, 10), minutes=180, note="图书室值班 3 小时")  # last year
    world.entry(wang, 5, "volunteer", NOW.replace(day=7), rule="volunteer_attendance")  # a sign-in: time unknown
    # Another site's service, as the bureau sends it: the service in the note, its time in minutes.
    assert pull(
        here,
        "balances",
        put(1, "E-1", entry("E-1", "DM9001", 3, 3, kind="volunteer", note="书画义写", minutes=90, at=NOW.isoformat())),
    ) == [True]
    assert PointsEntry.get(PointsEntry.event_id == "E-1").minutes == 90

    assert lines("DM9001") == [
        ("志愿服务 · 书画义写 1.5 小时", "+3"),
        ("志愿服务", "+5"),
        ("积分更正 · 记错了人", "−6"),
        ("志愿服务 · 图书室值班 3 小时", "+6"),
        ("志愿服务 · 社区助老义诊 2 小时", "+4"),
        ("志愿服务 · 图书室值班 3 小时", "+6"),
    ]
    # 2 + 1.5 hours this year: the reversed 3, last year's 3 and the sign-in's unknown time are not counted.
    assert passbook.volunteer_minutes("DM9001", 2025) == 210
    assert present_service.volunteer_year(210) == "今年志愿服务 3.5 小时"
    assert passbook.volunteer_minutes("DM9001", 2024) == 180
    assert passbook.volunteer_minutes(other.member_no, 2025) == 240
    assert passbook.volunteer_minutes("DM9003", 2025) == 0 and present_service.volunteer_year(0) == ""


def test_a_bureau_entry_without_minutes_or_with_a_bad_count(world, here):
    world.member("DM9001", "王建华")
    assert pull(
        here,
        "balances",
        put(1, "E-1", entry("E-1", "DM9001", 3, 3, kind="volunteer", note="书画义写")),
        put(2, "E-2", entry("E-2", "DM9001", 3, 6, kind="volunteer", note="书画义写", minutes=-5)),
    ) == [True, False]
    assert lines("DM9001") == [("志愿服务 · 书画义写", "+3")]
    assert passbook.volunteer_minutes("DM9001", 2025) == 0
