"""Staff accounts and PIN login: hashing, weak PINs, who may add whom, the last admin, and the
growing lockout that outlives a restart."""

import json
import logging
from datetime import datetime, timedelta

import pytest

from kiosk.staff import access
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.db import open_db
from kiosk.store.models import Audit, Outbox, Staff

NOW = datetime(2025, 3, 10, 8, 30)
PIN, OTHER_PIN = "739154", "602817"


@pytest.fixture
def cli(settings) -> Actor:
    return Actor.of(None, settings)


@pytest.fixture
def admin(world, cli) -> Staff:
    return access.add_staff(cli, "李主任", PIN, "admin", world.site.code, NOW)


@pytest.fixture
def clerk(world, cli, admin) -> Staff:
    return access.add_staff(cli, "张三", OTHER_PIN, "staff", world.site.code, NOW)


def counts() -> dict:
    return {
        "staff": Staff.select().count(),
        "audit": Audit.select().count(),
        "outbox": Outbox.select().count(),
        "active": Staff.select().where(Staff.active).count(),
    }


def refused(key: str, call, *args) -> Refused:
    before = counts()
    with pytest.raises(Refused) as e:
        call(*args)
    assert e.value.key == key
    assert e.value.message() != key  # the catalog has the message
    assert counts() == before
    return e.value


def facts(kind: str) -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


def fresh(staff: Staff) -> Staff:
    return Staff.get_by_id(staff.id)


# -- PINs -------------------------------------------------------------------------------------------


def test_hash_is_salted_scrypt_and_verifies():
    stored = access.hash_pin(PIN)
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(key)) == 32
    assert PIN not in stored
    assert access.hash_pin(PIN) != stored  # a fresh salt each time
    assert access.verify_pin(PIN, stored)
    assert not access.verify_pin(OTHER_PIN, stored)


def test_verify_reads_the_parameters_from_the_stored_hash():
    import hashlib

    salt = bytes(range(16))
    key = hashlib.scrypt(PIN.encode(), salt=salt, n=2**10, r=4, p=2, dklen=24)
    stored = f"scrypt$1024$4$2${salt.hex()}${key.hex()}"
    assert access.verify_pin(PIN, stored)
    assert not access.verify_pin(OTHER_PIN, stored)


@pytest.mark.parametrize(
    "stored", ["", "plain", "md5$1$1$1$00$00", "scrypt$x$8$1$00$00", "scrypt$16384$8$1$zz$00", "scrypt$16384$8$1$00$"]
)
def test_a_malformed_hash_matches_nothing(stored):
    assert not access.verify_pin(PIN, stored)


@pytest.mark.parametrize(
    "pin", ["1111", "00000000", "1234", "4321", "123456", "98765432", "6789", "7890", "0987", "3456789"]
)
def test_weak_pins_are_refused(pin):
    with pytest.raises(Refused) as e:
        access.check_pin(pin)
    assert e.value.key == "access.weak_pin"


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "１２３９", " 7391", "7391 "])
def test_pins_that_are_not_4_to_8_digits_are_refused(pin):
    with pytest.raises(Refused) as e:
        access.check_pin(pin)
    assert e.value.key == "access.pin_format"


@pytest.mark.parametrize("pin", ["1357", "2580", "1122", "12345670", "7391"])
def test_ordinary_pins_pass(pin):
    access.check_pin(pin)


# -- adding staff ----------------------------------------------------------------------------------


def test_the_first_account_is_an_admin_with_a_fact_and_an_audit_entry(world, cli):
    staff = access.add_staff(cli, "  李主任 ", PIN, "admin", world.site.code, NOW)
    row = fresh(staff)
    assert (row.name, row.role, row.active, row.site_id) == ("李主任", "admin", True, world.site.id)
    assert access.verify_pin(PIN, row.pin_hash)
    [fact] = facts("staff")
    assert fact["change"] == "add" and fact["name"] == "李主任" and fact["role"] == "admin"
    assert fact["staff"] == "命令行" and fact["site"] == world.site.code
    assert row.pin_hash not in json.dumps(fact) and "scrypt" not in json.dumps(fact)
    [entry] = Audit.select()
    assert (entry.action, entry.staff_name, entry.target) == ("staff.add", "命令行", "staff 李主任")
    assert [json.loads(o.payload)["action"] for o in Outbox.select().where(Outbox.kind == "audit")] == ["staff.add"]


def test_the_first_account_must_be_an_admin(world, cli):
    refused("access.first_admin", access.add_staff, cli, "张三", PIN, "staff", world.site.code, NOW)


def test_an_admin_adds_staff(world, settings, admin):
    staff = access.add_staff(Actor.of(admin, settings), "张三", OTHER_PIN, "staff", world.site.code, NOW)
    assert fresh(staff).role == "staff"
    assert Audit.select().order_by(Audit.id.desc()).first().staff_name == "李主任"


def test_a_plain_staff_member_cannot_add_staff(world, settings, clerk):
    refused(
        "access.admin_only", access.add_staff, Actor.of(clerk, settings), "王五", "5820", "staff", world.site.code, NOW
    )


def test_names_are_unique_among_active_staff(world, cli, admin, clerk):
    refused("access.name_taken", access.add_staff, cli, "张三", "5820", "staff", world.site.code, NOW)
    refused("access.name_taken", access.add_staff, cli, " 李主任", "5820", "admin", world.site.code, NOW)
    access.disable(cli, clerk, "离职", NOW)
    again = access.add_staff(cli, "张三", "5820", "staff", world.site.code, NOW)  # a new 张三 may come
    assert [s.name for s in access.list_staff(world.site.code)] == ["李主任", "张三"]
    assert access.by_name(world.site.code, "张三").id == again.id


@pytest.mark.parametrize(
    "name, pin, role, key",
    [
        ("", PIN, "staff", "access.name_empty"),
        ("   ", PIN, "staff", "access.name_empty"),
        ("王五", PIN, "boss", "access.bad_role"),
        ("王五", "1234", "staff", "access.weak_pin"),
        ("王五", "12", "staff", "access.pin_format"),
    ],
)
def test_bad_accounts_are_refused(world, cli, admin, name, pin, role, key):
    refused(key, access.add_staff, cli, name, pin, role, world.site.code, NOW)


def test_an_unknown_site_is_refused(world, cli):
    refused("access.no_site", access.add_staff, cli, "李主任", PIN, "admin", "NOWHERE", NOW)


def test_list_staff_admins_first_then_by_name_only_active(world, cli, admin, clerk):
    second = access.add_staff(cli, "安主任", "5820", "admin", world.site.code, NOW)
    gone = access.add_staff(cli, "白六", "5820", "staff", world.site.code, NOW)
    access.disable(cli, gone, "调走", NOW)
    assert [s.id for s in access.list_staff(world.site.code)] == [second.id, admin.id, clerk.id]
    assert access.list_staff("NOWHERE") == []
    with pytest.raises(Refused) as e:
        access.by_name(world.site.code, "白六")
    assert e.value.key == "access.no_such_staff"


# -- changing PINs and disabling -----------------------------------------------------------------


def test_set_pin_changes_it_lifts_a_lock_and_keeps_the_hash_out_of_the_fact(world, settings, cli, clerk):
    for _ in range(settings.staff.lockout_after):
        access.login(clerk.id, "5820", NOW, settings)
    assert fresh(clerk).locked_until
    access.set_pin(cli, clerk, "5820", NOW)
    row = fresh(clerk)
    assert access.verify_pin("5820", row.pin_hash) and not access.verify_pin(OTHER_PIN, row.pin_hash)
    assert (row.failures, row.lockouts, row.locked_until) == (0, 0, None)
    assert facts("staff")[-1]["change"] == "pin" and row.pin_hash not in facts("staff")[-1].values()
    assert Audit.select().order_by(Audit.id.desc()).first().action == "staff.pin"
    assert access.login(clerk.id, "5820", NOW, settings).ok


def test_staff_may_change_their_own_pin_but_not_anothers(world, settings, admin, clerk):
    access.set_pin(Actor.of(clerk, settings), clerk, "5820", NOW)
    assert access.verify_pin("5820", fresh(clerk).pin_hash)
    refused("access.admin_only", access.set_pin, Actor.of(clerk, settings), admin, "5820", NOW)
    refused("access.weak_pin", access.set_pin, Actor.of(clerk, settings), clerk, "0000", NOW)


def test_disable_closes_the_account(world, settings, cli, admin, clerk):
    access.disable(Actor.of(admin, settings), clerk, "离职", NOW)
    assert not fresh(clerk).active
    assert facts("staff")[-1]["change"] == "disable" and facts("staff")[-1]["reason"] == "离职"
    entry = Audit.select().order_by(Audit.id.desc()).first()
    assert (entry.action, entry.reason, entry.staff_name) == ("staff.disable", "离职", "李主任")
    assert access.login(clerk.id, OTHER_PIN, NOW, settings).message == "access.no_staff"
    refused("access.inactive", access.disable, cli, clerk, "离职", NOW)
    refused("access.inactive", access.set_pin, cli, clerk, "5820", NOW)


def test_the_last_admin_cannot_be_disabled(world, settings, cli, admin, clerk):
    refused("access.last_admin", access.disable, cli, admin, "离职", NOW)
    refused("access.last_admin", access.disable, Actor.of(admin, settings), admin, "离职", NOW)
    other = access.add_staff(cli, "安主任", "5820", "admin", world.site.code, NOW)
    access.disable(Actor.of(other, settings), admin, "退休", NOW)
    refused("access.last_admin", access.disable, cli, other, "离职", NOW)


def test_disabling_needs_an_admin_and_a_reason(world, settings, cli, admin, clerk):
    refused("access.admin_only", access.disable, Actor.of(clerk, settings), admin, "离职", NOW)
    refused("access.reason_needed", access.disable, cli, clerk, "  ", NOW)


def test_require(world, settings, admin, clerk):
    access.require(Actor.of(None, settings), "admin")
    access.require(Actor.of(admin, settings), "admin")
    access.require(Actor.of(clerk, settings), "staff")
    with pytest.raises(Refused) as e:
        access.require(Actor.of(clerk, settings), "admin")
    assert e.value.key == "access.admin_only"
    with pytest.raises(ValueError):
        access.require(Actor.of(admin, settings), "root")


# -- logging in -----------------------------------------------------------------------------------


def login(staff, pin, at, settings) -> access.Login:
    return access.login(staff.id, pin, at, settings)


def test_the_right_pin_logs_in_with_an_audit_entry(world, settings, admin):
    done = login(admin, PIN, NOW, settings)
    assert done.ok and done.staff.id == admin.id and done.message == "access.welcome"
    assert done.tries_left == settings.staff.lockout_after and done.locked_until is None
    entry = Audit.select().order_by(Audit.id.desc()).first()
    assert (entry.action, entry.staff_id, entry.staff_name) == ("staff.login", admin.id, "李主任")


def test_five_wrong_pins_lock_the_account_and_say_so(world, settings, admin, caplog):
    caplog.set_level(logging.INFO)
    tries = [login(admin, "5820", NOW + timedelta(seconds=i), settings) for i in range(5)]
    assert [d.tries_left for d in tries] == [4, 3, 2, 1, 0]
    assert [d.message for d in tries] == ["access.wrong_pin"] * 4 + ["access.locked"]
    assert not any(d.ok for d in tries)
    assert tries[-1].locked_until == NOW + timedelta(seconds=4 + 60)
    actions = [a.action for a in Audit.select().order_by(Audit.id)]
    assert actions == ["staff.add", "staff.locked"]  # a wrong PIN alone needs no audit row
    assert "wrong PIN" in caplog.text and "5820" not in caplog.text


def test_while_locked_even_the_right_pin_is_refused_and_the_lock_does_not_grow(world, settings, admin):
    for _ in range(5):
        login(admin, "5820", NOW, settings)
    until = fresh(admin).locked_until
    before = counts()
    for pin in (PIN, "5820", PIN):
        done = login(admin, pin, NOW + timedelta(seconds=30), settings)
        assert (done.ok, done.message, done.locked_until, done.tries_left) == (False, "access.locked", until, 0)
    assert fresh(admin).locked_until == until and counts() == before
    assert login(admin, PIN, until, settings).ok  # unlocked when the time is up


def test_each_lockout_is_twice_as_long_up_to_the_cap(world, settings, admin):
    settings.staff.lockout_after, settings.staff.lockout_first_s, settings.staff.lockout_max_s = 2, 60, 600
    at, lengths = NOW, []
    for _ in range(6):
        login(admin, "5820", at, settings)
        done = login(admin, "5820", at, settings)
        lengths.append((done.locked_until - at).total_seconds() / 60)
        at = done.locked_until
    assert lengths == [1, 2, 4, 8, 10, 10]
    assert fresh(admin).lockouts == 6


def test_a_right_pin_resets_failures_and_lockouts(world, settings, admin):
    for _ in range(5):
        login(admin, "5820", NOW, settings)
    at = fresh(admin).locked_until
    for _ in range(4):
        login(admin, "5820", at, settings)
    assert fresh(admin).failures == 4
    assert login(admin, PIN, at, settings).ok
    row = fresh(admin)
    assert (row.failures, row.lockouts, row.locked_until) == (0, 0, None)
    tries = [login(admin, "5820", at, settings) for _ in range(5)]
    assert tries[-1].locked_until == at + timedelta(seconds=60)  # the first lock's length again


def test_the_lock_survives_reopening_the_database(world, settings, database, admin):
    for _ in range(5):
        login(admin, "5820", NOW, settings)
    database.close()
    reopened = open_db(settings.kiosk.data_dir)
    try:
        done = login(admin, PIN, NOW + timedelta(seconds=59), settings)
        assert done.message == "access.locked" and done.locked_until == NOW + timedelta(seconds=60)
        assert fresh(admin).lockouts == 1
    finally:
        reopened.close()


def test_failures_count_across_a_restart(world, settings, database, admin):
    for _ in range(3):
        login(admin, "5820", NOW, settings)
    database.close()
    reopened = open_db(settings.kiosk.data_dir)
    try:
        assert login(admin, "5820", NOW, settings).tries_left == 1
    finally:
        reopened.close()


def test_unknown_or_disabled_staff_cannot_log_in(world, settings, cli, admin, clerk):
    assert login(Staff(id=9999), PIN, NOW, settings).message == "access.no_staff"
    access.disable(cli, clerk, "离职", NOW)
    done = login(clerk, OTHER_PIN, NOW, settings)
    assert (done.ok, done.staff, done.message) == (False, None, "access.no_staff")


def test_a_lock_set_while_the_clock_ran_years_ahead_is_over_once_the_clock_is_right(world, settings, admin):
    ahead = NOW.replace(year=NOW.year + 5)
    for _ in range(5):
        login(admin, "5820", ahead, settings)
    assert fresh(admin).locked_until == ahead + timedelta(seconds=60)
    assert login(admin, PIN, ahead + timedelta(seconds=30), settings).message == "access.locked"
    # The clock put right: a lock ending five years from now is longer than any lock can be.
    assert login(admin, PIN, NOW, settings).ok
    assert fresh(admin).locked_until is None


def test_a_lock_of_exactly_the_longest_length_still_holds(world, settings, admin):
    settings.staff.lockout_after, settings.staff.lockout_first_s = 1, settings.staff.lockout_max_s
    done = login(admin, "5820", NOW, settings)
    assert done.locked_until == NOW + timedelta(seconds=settings.staff.lockout_max_s)
    assert login(admin, PIN, NOW, settings).message == "access.locked"
    assert login(admin, PIN, done.locked_until - timedelta(seconds=1), settings).message == "access.locked"
    assert login(admin, PIN, done.locked_until, settings).ok
