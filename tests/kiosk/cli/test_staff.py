"""python main.py staff …, run as an operator runs it: a separate process, exit code, stderr."""

import json
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from kiosk.i18n import t
from kiosk.staff import access
from tools.checkout import run_kiosk

from ..conftest import write_site_file

PIN = "73915482"  # 8 digits: too long to turn up by chance in the hex of hashes and ids
NEW_PIN = "26048153"


@pytest.fixture
def site(tmp_path) -> tuple[Path, Path]:
    """A site file without demo data, and an empty data folder."""
    return write_site_file(tmp_path), tmp_path / "data"


def staff(site, *args, stdin: str = "") -> subprocess.CompletedProcess:
    config, data = site
    return run_kiosk("--config", config, "--data-dir", data, "staff", *args, stdin=stdin)


def ok(result) -> list[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


def refused(result, key: str, **values) -> None:
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.splitlines()[-1] == t(key, **values)
    assert result.stdout == ""


def rows(site, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(site[1] / "kiosk.db")) as conn, conn:
        return conn.execute(sql).fetchall()


def add_admin(site, name="李主任"):
    ok(staff(site, "add", "--name", name, "--role", "admin", "--pin-stdin", stdin=PIN + "\n"))


def test_the_first_admin_from_the_command_line(site):
    lines = ok(staff(site, "add", "--name", "李主任", "--role", "admin", "--pin-stdin", stdin=PIN + "\n"))
    assert lines == [t("staff_cli.added", name="李主任", role=t("access.role.admin"))]
    [(name, role, pin_hash)] = rows(site, "SELECT name, role, pin_hash FROM staff")
    assert (name, role) == ("李主任", "admin") and access.verify_pin(PIN, pin_hash)
    assert ok(staff(site, "list")) == [t("staff_cli.row", name="李主任", role=t("access.role.admin"))]
    facts = {kind: json.loads(payload) for kind, payload in rows(site, "SELECT kind, payload FROM outbox")}
    assert facts["staff"]["name"] == "李主任" and facts["staff"]["change"] == "add"
    assert facts["staff"]["staff"] == "命令行"
    assert facts["audit"]["action"] == "staff.add"
    every_fact = json.dumps(rows(site, "SELECT payload FROM outbox"), ensure_ascii=False)
    assert pin_hash not in every_fact and "scrypt" not in every_fact


def test_list_without_staff(site):
    assert ok(staff(site, "list")) == [t("staff_cli.none")]


def test_refusals_exit_2_with_the_message_and_change_nothing(site):
    refused(staff(site, "add", "--name", "张三", "--pin-stdin", stdin=PIN + "\n"), "access.first_admin")
    add_admin(site)
    before = rows(site, "SELECT (SELECT count(*) FROM staff), (SELECT count(*) FROM outbox)")
    refused(staff(site, "add", "--name", "张三", "--pin-stdin", stdin="1234\n"), "access.weak_pin")
    refused(
        staff(site, "add", "--name", "李主任", "--pin-stdin", stdin=NEW_PIN + "\n"), "access.name_taken", name="李主任"
    )
    refused(
        staff(site, "pin", "--name", "无名", "--pin-stdin", stdin=NEW_PIN + "\n"), "access.no_such_staff", name="无名"
    )
    refused(staff(site, "disable", "--name", "李主任", "--reason", "离职"), "access.last_admin", name="李主任")
    refused(staff(site, "disable", "--name", "李主任", "--reason", " "), "access.reason_needed")
    assert rows(site, "SELECT (SELECT count(*) FROM staff), (SELECT count(*) FROM outbox)") == before


def test_more_staff_a_new_pin_and_disabling_and_no_pin_in_any_file(site):
    add_admin(site)
    ok(staff(site, "add", "--name", "张三", "--pin-stdin", stdin=NEW_PIN + "\n"))
    ok(staff(site, "add", "--name", "王五", "--role", "staff", "--pin-stdin", stdin="5820\r\n"))
    assert ok(staff(site, "list")) == [
        t("staff_cli.row", name=n, role=t(f"access.role.{r}"))
        for n, r in (("李主任", "admin"), ("张三", "staff"), ("王五", "staff"))
    ]
    assert ok(staff(site, "pin", "--name", "张三", "--pin-stdin", stdin=PIN[::-1] + "\n")) == [
        t("staff_cli.pin_set", name="张三")
    ]
    [(pin_hash,)] = rows(site, "SELECT pin_hash FROM staff WHERE name = '张三'")
    assert access.verify_pin(PIN[::-1], pin_hash) and not access.verify_pin(NEW_PIN, pin_hash)
    assert ok(staff(site, "disable", "--name", "王五", "--reason", "离职")) == [t("staff_cli.disabled", name="王五")]
    assert rows(site, "SELECT name FROM staff WHERE NOT active") == [("王五",)]
    audit = rows(site, "SELECT action, staff_name, reason FROM audit ORDER BY id")
    assert audit == [("staff.add", "命令行", "")] * 3 + [
        ("staff.pin", "命令行", ""),
        ("staff.disable", "命令行", "离职"),
    ]
    changes = [json.loads(p)["change"] for (p,) in rows(site, "SELECT payload FROM outbox WHERE kind = 'staff'")]
    assert changes == ["add", "add", "add", "pin", "disable"]
    files = [p for p in site[1].rglob("*") if p.is_file()]
    assert {"kiosk.db", "kiosk.log"} <= {p.name for p in files}
    for path in files:
        data = path.read_bytes()
        for pin in (PIN, NEW_PIN, PIN[::-1]):
            assert pin.encode() not in data, path


def test_the_pin_is_asked_twice_without_pin_stdin(site):
    result = staff(site, "add", "--name", "李主任", "--role", "admin", stdin=f"{PIN}\n{PIN}\n")
    assert ok(result) == [t("staff_cli.added", name="李主任", role=t("access.role.admin"))]
    assert PIN not in result.stderr and PIN not in result.stdout
    refused(staff(site, "pin", "--name", "李主任", stdin=f"{NEW_PIN}\n{PIN}\n"), "staff_cli.pin_mismatch")
    [(pin_hash,)] = rows(site, "SELECT pin_hash FROM staff")
    assert access.verify_pin(PIN, pin_hash)


def test_a_locked_account_is_listed_as_locked(site):
    add_admin(site)
    rows(site, "UPDATE staff SET locked_until = '2999-01-01 08:00:00'")
    assert ok(staff(site, "list")) == [
        t("staff_cli.row", name="李主任", role=t("access.role.admin")) + t("staff_cli.locked", until="2999-01-01 08:00")
    ]
