"""Members for staff: registering a newcomer from the ID card, changes, card reissue and printing,
the member's page.  Every refusal leaves the database as it was."""

import json
import subprocess
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.desk import exports
from kiosk.identity import ids, tokens
from kiosk.people import members, newcomers
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.models import Audit, Member, NewcomerCard, Outbox, PointsEntry, Staff
from tests.kiosk.builders import ID_NOT_REGISTERED, ID_WANG, LESSON_START, World

NOW = datetime(2026, 11, 21, 9, 30)
ID_LIU = "11010119450307123" + ids.check_char("11010119450307123")


@pytest.fixture
def desk(world) -> Actor:
    """A plain staff member at the front desk."""
    staff = Staff.create(name="李红", pin_hash="-", role="staff", site=world.site)
    return Actor.of(staff, world.settings)


def newcomer_card(world, number: str = ID_NOT_REGISTERED, at: datetime = NOW, **fields) -> NewcomerCard:
    """An ID card read at the kiosk that matched no member, as kiosk.people.newcomers keeps it."""
    card = replace(
        World.idcard(number, name=fields.pop("name", "刘桂兰")),
        card_type="resident",
        gender="2",
        birth_date=date(1945, 3, 7),
        nation="01",
        address="天津市河西区友谊路 1 号",
        **fields,
    )
    newcomers.remember(card, ids.id_hash(number, world.id_key), at)
    return NewcomerCard.get(NewcomerCard.id_hash == ids.id_hash(number, world.id_key))


def counts() -> dict:
    return {m.__name__: m.select().count() for m in (Member, NewcomerCard, Outbox, Audit, PointsEntry)}


def facts(kind: str) -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


def refused(key: str, call, *args, **kwargs) -> Refused:
    """The call is refused with `key`, and nothing in the database changed."""
    before = counts()
    with pytest.raises(Refused) as e:
        call(*args, **kwargs)
    assert e.value.key == key
    assert "{" not in e.value.message() and e.value.message() != key  # a real, filled-in message
    assert counts() == before
    return e.value


# -- registering a newcomer ----------------------------------------------------------------------


def test_register_makes_a_member_from_the_card_and_forgets_the_card(world, desk, settings):
    card = newcomer_card(world, ID_LIU)
    member = members.register(desk, card.id, NOW, settings, phone="138 0013 8000")
    m = Member.get(Member.member_no == member.member_no)
    assert (m.member_no, m.name, m.initials, m.gender) == ("XC0001", "刘桂兰", "lgl", "女")
    assert (m.nation, m.joined, m.site.code, m.card_issue, m.active) == (
        "汉",
        NOW.date(),
        settings.site.code,
        1,
        True,
    )
    assert m.id_hash == ids.id_hash(ID_LIU, world.id_key)
    assert (m.phone, m.phone_last4) == ("13800138000", "8000")
    assert NewcomerCard.select().count() == 0
    (fact,) = facts("member")
    assert fact == {
        "member_no": "XC0001",
        "name": "刘桂兰",
        "gender": "女",
        "id_hash": m.id_hash,
        "phone_last4": "8000",
        "site": settings.site.code,
        "joined": "2026-11-21",
        "active": True,
        "at": NOW.isoformat(),
        "kiosk_id": settings.kiosk.id,
        "staff": "李红",
        "staff_id": desk.staff.id,
    }
    (entry,) = Audit.select()
    assert (entry.action, entry.target, entry.staff_name) == ("member.register", "member XC0001", "李红")
    assert "13800138000" not in entry.detail and ID_LIU[-4:] not in entry.detail
    assert not [o for o in Outbox.select() if "13800138000" in o.payload]  # last 4 digits only


def test_the_next_number_is_one_more_than_the_highest_of_the_prefix(world, desk, settings):
    for no in ("XC0041", "XC9001", "XCX12", "XC12A", "XY99999", "xc99999"):
        world.member(no, "旧学员")
    assert members.register(desk, newcomer_card(world).id, NOW, settings).member_no == "XC9002"
    settings.staff.member_prefix = "XY"
    assert members.register(desk, newcomer_card(world, ID_LIU).id, NOW, settings).member_no == "XY100000"


def test_a_registered_newcomer_signs_in_with_either_card(world, desk, settings, checkin):
    member = members.register(desk, newcomer_card(world, ID_LIU).id, NOW, settings)
    assert tokens.read(world.token(member), world.card_key) == ("XC0001", 1)
    assert checkin.handle(world.qr(member), NOW).kind == "not_due"
    id_read = checkin.handle(World.idcard(ID_LIU), NOW + timedelta(minutes=1))
    assert (id_read.kind, id_read.member_no) == ("not_due", "XC0001")


def test_register_refuses_a_card_already_registered(world, desk, settings):
    world.member("DM0007", "王建华", ID_WANG)
    card = newcomer_card(world, ID_WANG)  # e.g. read while the member was inactive
    e = refused("members.duplicate", members.register, desk, card.id, NOW, settings)
    assert "DM0007" in e.message() and e.values["member_no"] == "DM0007"
    assert NewcomerCard.select().count() == 1  # kept: staff may look again


def test_a_flagged_name_needs_staff_to_have_checked_the_card(world, desk, settings):
    card = newcomer_card(world, name="王□华", name_flagged=True)
    e = refused("members.name_flagged", members.register, desk, card.id, NOW, settings)
    assert "王□华" in e.message()
    member = members.register(desk, card.id, NOW, settings, name_confirmed=True)
    assert member.name == "王□华" and json.loads(Audit.get().detail)["name_flagged"] is True


@pytest.mark.parametrize(
    "phone",
    ["1380013800", "138001380001", "23800138000", "12800138000", "abc", "+8613800138000", "１３８００１３８０００"],
)
def test_register_refuses_a_phone_that_is_not_a_mainland_mobile(world, desk, settings, phone):
    card = newcomer_card(world)
    e = refused("members.bad_phone", members.register, desk, card.id, NOW, settings, phone=phone)
    assert phone in e.message()


def test_register_needs_the_kiosks_site_in_the_database(world, desk, settings):
    settings.site.code = "NOWHERE"
    refused("members.no_site", members.register, desk, newcomer_card(world).id, NOW, settings)


def test_waiting_lists_the_unregistered_cards_of_the_last_days(world):
    newcomer_card(world, ID_LIU, at=NOW - timedelta(days=8))
    recent = newcomer_card(world, ID_NOT_REGISTERED)
    assert [c.id for c in members.waiting(NOW)] == [recent.id]


def test_no_full_id_number_reaches_the_database_file(world, desk, settings, checkin, database):
    member = members.register(desk, newcomer_card(world, ID_LIU).id, NOW, settings, phone="13800138000")
    members.reissue_card(desk, member.member_no, "遗失", NOW)
    checkin.handle(World.idcard(ID_LIU), NOW + timedelta(minutes=5))
    checkin.handle(World.idcard(ID_NOT_REGISTERED), NOW + timedelta(minutes=6))  # kept for registering
    database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")
    data = settings.kiosk.data_dir
    stored = b"".join(p.read_bytes() for p in sorted(Path(data).glob("kiosk.db*")))
    assert stored
    for number in (ID_LIU, ID_NOT_REGISTERED):
        for part in (number, number[6:14], f"{number[6:10]}-{number[10:12]}-{number[12:14]}"):
            assert part.encode() not in stored and part.encode("utf-16-le") not in stored, part
    # The last 4 are too short to look for in the file's bytes: no column or fact holds them.
    columns = {c.name for t in database.get_tables() for c in database.get_columns(t)}
    assert not columns & {"id_last4", "birth_year", "birth_date"}
    assert not [o for o in Outbox.select() if "last4" in o.payload.replace("phone_last4", "")]


# -- changes -------------------------------------------------------------------------------------


def test_update_changes_the_phone_and_keeps_the_before_and_after(world, desk):
    member = world.member("DM0001", "王建华", phone="13900001111", phone_last4="1111")
    assert members.update(desk, member.member_no, NOW, "本人换号", phone="13800138000").phone_last4 == "8000"
    changed = Member.get_by_id(member.id)
    assert (changed.phone, changed.phone_last4) == ("13800138000", "8000")
    entry = Audit.get()
    assert (entry.action, entry.reason) == ("member.update", "本人换号")
    assert json.loads(entry.detail) == {
        "before": {"phone_last4": "1111"},
        "after": {"phone_last4": "8000"},
        "name": "王建华",
    }
    assert facts("member")[0]["phone_last4"] == "8000"


def test_update_clears_the_phone_and_deactivates(world, desk):
    member = world.member("DM0001", "王建华", phone="13900001111", phone_last4="1111")
    shown = members.update(desk, member.member_no, NOW, phone="", active=False)
    changed = Member.get_by_id(member.id)
    assert (changed.phone, shown.phone_last4, shown.active) == ("", "", False)
    assert json.loads(Audit.get().detail)["after"] == {"phone_last4": "", "active": False}
    assert facts("member")[0]["active"] is False


def test_update_without_a_change_writes_nothing(world, desk):
    member = world.member("DM0001", "王建华", phone="13800138000", phone_last4="8000")
    before = counts()
    assert members.update(desk, member.member_no, NOW, phone="138-0013-8000", active=True).phone_last4 == "8000"
    assert counts() == before


def test_a_flagged_name_is_corrected_with_a_reason(world, desk):
    member = world.member("DM0001", "王□华", initials="wh")
    refused("members.reason_required", members.update, desk, member.member_no, NOW, name="王堃华")
    for bad in ("", "  ", "王□华"):
        refused("members.bad_name", members.update, desk, member.member_no, NOW, "核对原件", name=bad)
    assert members.update(desk, member.member_no, NOW, "核对身份证原件", name=" 王堃华 ").name == "王堃华"
    assert Member.get_by_id(member.id).initials == "wkh"
    assert json.loads(Audit.get().detail) == {
        "before": {"name": "王□华"},
        "after": {"name": "王堃华"},
        "name": "王堃华",  # the member's name as the row shows it: after the correction
    }
    assert facts("member")[0]["name"] == "王堃华"


def test_update_refuses_a_bad_phone(world, desk):
    member = world.member("DM0001", "王建华", phone="13800138000", phone_last4="8000")
    refused("members.bad_phone", members.update, desk, member.member_no, NOW, phone="12345", active=False)
    assert Member.get_by_id(member.id).active


# -- a new card ----------------------------------------------------------------------------------


def test_reissue_revokes_the_old_card_and_the_new_one_signs_in(world, wang, desk, checkin):
    member, _ = wang
    old = world.qr(member)
    renewed = members.reissue_card(desk, member.member_no, "遗失", LESSON_START - timedelta(days=1))
    assert renewed.card_issue == 2 and Member.get_by_id(member.id).card_issue == 2
    refused_read = checkin.handle(old, LESSON_START)
    assert (refused_read.kind, refused_read.detail) == ("invalid_card", "card.revoked")
    assert checkin.handle(world.qr(renewed), LESSON_START).kind == "ok"
    assert facts("card")[0] == {
        "member_no": "DM9001",
        "card_issue": 2,
        "reason": "遗失",
        "at": "2025-03-09T09:00:00",
        "kiosk_id": desk.kiosk_id,
        "site": desk.site,
        "staff": "李红",
        "staff_id": desk.staff.id,
    }
    entry = Audit.get(Audit.action == "card.reissue")
    assert (entry.reason, json.loads(entry.detail)) == (
        "遗失",
        {"before": {"card_issue": 1}, "after": {"card_issue": 2}, "name": "王建华"},
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_reissue_needs_a_reason(world, desk, reason):
    member = world.member("DM0001", "王建华")
    refused("members.reason_required", members.reissue_card, desk, member.member_no, reason, NOW)
    assert Member.get_by_id(member.id).card_issue == 1


# -- the member's page ---------------------------------------------------------------------------


def test_profile(world, wang):
    member, lesson = wang
    Member.update(phone_last4="8000", joined=date(2024, 9, 1)).where(Member.id == member.id).execute()
    member = Member.get_by_id(member.id)
    world.sign_in(member, datetime(2025, 12, 30, 9, 5), lesson=lesson)  # last year's
    course = world.course("书法班")
    for day in (5, 12):
        lesson = world.lesson(course, datetime(2026, 1, day, 9))
        world.sign_in(member, datetime(2026, 1, day, 9, 1), lesson=lesson)
    world.entry(member, 5, "lesson", datetime(2026, 1, 5, 9, 1))
    p = members.profile(member.member_no, datetime(2026, 11, 21, 10, 0))
    assert p == members.Profile(
        "DM9001",
        "王建华",
        "",
        "8000",
        date(2024, 9, 1),
        1,
        True,
        15,
        datetime(2026, 1, 12, 9, 1),
        2,
    )


def test_profile_of_a_new_member(world):
    member = world.member("DM0001", "王建华")
    p = members.profile(member.member_no, NOW)
    assert (p.last_sign_in, p.sign_ins_this_year, p.balance) == (None, 0, 0)


# -- printing cards ------------------------------------------------------------------------------


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_print_saves_a_sheet_in_the_export_folder(world, desk, settings):
    chosen = [world.member("DM0001", "王建华").member_no, world.member("DM0002", "李秀英").member_no]
    done = members.print_cards(desk, chosen, settings, settings.staff.export_dir, NOW)
    assert done.path == Path(settings.staff.export_dir) / "会员卡_20261121_0930.pdf"
    assert (done.pages, done.count, done.printed, done.error) == (1, 2, False, "")
    text = pdf_text(done.path)
    assert "会员号 DM0001" in text and "会员号 DM0002" in text
    entry = Audit.get()
    assert (entry.action, entry.target) == ("cards.print", done.path.name)
    assert json.loads(entry.detail) == {"members": ["DM0001", "DM0002"], "pages": 1, "printed": False, "error": ""}
    again = members.print_cards(desk, chosen[:1], settings, settings.staff.export_dir, NOW)
    assert again.path.name == "会员卡_20261121_0930_2.pdf" and done.path.is_file()


def test_a_card_goes_to_the_printer_else_a_usb_stick_else_nowhere(settings, tmp_path):
    media = str(tmp_path / "media" / "*" / "*")
    assert exports.card_outlet(settings, media=(media,)) is None  # no printer, no stick: staff are told
    stick = tmp_path / "media" / "kiosk" / "U盘"
    stick.mkdir(parents=True)
    assert exports.card_outlet(settings, media=(media,)) == exports.Outlet("usb", stick)
    settings.staff.print_command = ["lp"]
    home = Path(settings.staff.export_dir)
    assert exports.card_outlet(settings, media=(media,)) == exports.Outlet("printer", home)


def test_print_sends_the_sheet_to_the_printer(world, desk, settings, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.staff.print_command = ["cp", "-t", str(spool)]
    done = members.print_cards(desk, [world.member("DM0001", "王建华").member_no], settings, tmp_path, NOW)
    assert (done.printed, done.error) == (True, "")
    assert (spool / done.path.name).read_bytes() == done.path.read_bytes()
    assert json.loads(Audit.get().detail)["printed"] is True


@pytest.mark.parametrize(
    "command, said",
    [
        (["sh", "-c", "echo 'lp: 打印机缺纸' >&2; exit 3", "lp"], "打印失败（代码 3）：lp: 打印机缺纸"),
        (["no-such-printer-command"], "找不到打印命令 no-such-printer-command，会员卡文件已保存"),
    ],
)
def test_a_failing_printer_keeps_the_sheet_and_says_why(world, desk, settings, tmp_path, command, said):
    settings.staff.print_command = command
    done = members.print_cards(desk, [world.member("DM0001", "王建华").member_no], settings, tmp_path, NOW)
    assert (done.printed, done.error) == (False, said)
    assert done.path.is_file() and "会员号 DM0001" in pdf_text(done.path)
    assert json.loads(Audit.get().detail)["error"] == said


def test_print_refuses_a_folder_it_cannot_write_to(world, desk, settings, tmp_path):
    member = world.member("DM0001", "王建华")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("")
    for folder in (tmp_path / "usb-stick-not-plugged-in", "/sys", a_file):
        e = refused("members.folder_unwritable", members.print_cards, desk, [member.member_no], settings, folder, NOW)
        assert str(folder) in e.message()
    assert not (tmp_path / "usb-stick-not-plugged-in").exists() and not list(tmp_path.rglob("*.pdf"))


def test_print_needs_a_member(world, desk, settings, tmp_path):
    refused("cards_staff.none", members.print_cards, desk, [], settings, tmp_path, NOW)
    assert not list(tmp_path.glob("*.pdf"))


def test_a_card_registered_or_gone_since_the_page_showed_it_is_refused(world, desk, settings):
    card = newcomer_card(world)
    members.register(desk, card.id, NOW, settings)
    refused("members.card_gone", members.register, desk, card.id, NOW, settings)


def test_card_holders_are_the_sites_active_members_or_a_courses_enrolled(world, settings):
    course = world.course("书法（一）班")
    a, b = world.member("DM0002", "李秀英"), world.member("DM0001", "王建华")
    world.member("DM0003", "赵德明", active=False)
    world.enroll(a, course)
    world.enroll(b, course, status="waitlisted")
    assert members.card_holders(settings.site.code) == ["DM0001", "DM0002"]
    assert members.card_holders(settings.site.code, course.id) == ["DM0002"]
    assert members.card_holders("OTHER-002") == []
