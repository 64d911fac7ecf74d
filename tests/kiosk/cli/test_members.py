"""python main.py member …, run as an operator runs it: a separate process on a kiosk.db built here."""

import json
import subprocess

import pytest

from kiosk.store.models import Audit, Member, Outbox, PointsEntry
from tools.checkout import run_kiosk

from ..builders import ID_WANG, LESSON_START


@pytest.fixture
def kiosk(world, wang, site_file, settings):
    """Run main.py on this test's site file and kiosk.db; DM9001 王建华 has 10 points."""
    Member.update(phone="13800138000", phone_last4="8000").where(Member.member_no == "DM9001").execute()

    def run(*args) -> subprocess.CompletedProcess:
        return run_kiosk("--config", site_file, "--data-dir", settings.kiosk.data_dir, *args)

    return run


def counts() -> dict:
    return {m.__name__: m.select().count() for m in (Member, PointsEntry, Outbox, Audit)}


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refused(result, *words) -> str:
    """Exit code 2 and one line on stderr, no traceback."""
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert all(w in line for w in words), line
    return line


def test_show_the_member(kiosk, world, wang):
    world.sign_in(wang[0], LESSON_START, lesson=wang[1])
    out = ok(kiosk("member", "show", "dm9001"))
    for shown in ("DM9001", "王建华", "8000", "10 分", "2025-03-10 09:00", "第 1 版", "在册"):
        assert shown in out
    assert ID_WANG[-4:] not in out  # not kept: the card itself shows it
    assert ID_WANG not in out and "13800138000" not in out


def test_show_an_unknown_number(kiosk):
    refused(kiosk("member", "show", "XX0001"), "XX0001")


def test_reissue(kiosk, world):
    out = ok(kiosk("member", "reissue", "DM9001", "--reason", "遗失"))
    assert "DM9001" in out and "第 2 版" in out
    assert Member.get(Member.member_no == "DM9001").card_issue == 2
    entry = Audit.get()
    assert (entry.action, entry.staff_name, entry.reason) == ("card.reissue", "命令行", "遗失")
    assert json.loads(Outbox.get(Outbox.kind == "card").payload)["card_issue"] == 2


def test_reissue_needs_a_reason(kiosk):
    before = counts()
    result = kiosk("member", "reissue", "DM9001")
    assert result.returncode == 2 and "--reason" in result.stderr and "Traceback" not in result.stderr
    refused(kiosk("member", "reissue", "DM9001", "--reason", " "), "原因")
    assert counts() == before and Member.get(Member.member_no == "DM9001").card_issue == 1


def test_rename_a_name_the_card_could_not_give(kiosk):
    Member.update(name="王□华").where(Member.member_no == "DM9001").execute()
    before = counts()
    refused(kiosk("member", "rename", "DM9001", "--name", "王□华", "--reason", "核对原件"), "□")
    assert counts() == before
    out = ok(kiosk("member", "rename", "DM9001", "--name", "王堃华", "--reason", "核对身份证原件"))
    assert "王堃华" in out
    assert Member.get(Member.member_no == "DM9001").initials == "wkh"
    entry = Audit.get()
    assert (entry.action, entry.staff_name, entry.reason) == ("member.update", "命令行", "核对身份证原件")


def test_volunteer_hours(kiosk):
    out = ok(kiosk("member", "points", "DM9001", "--volunteer", "2.5", "--reason", "library"))
    assert "2.5 小时" in out and "+5" in out and "共 15 分" in out
    entry = PointsEntry.get()
    assert (entry.kind, entry.amount, entry.note, entry.staff_id) == ("volunteer", 5, "图书室值班 2.5 小时", None)
    capped = ok(kiosk("member", "points", "DM9001", "--volunteer", "6", "--reason", "打扫活动室"))
    assert "+11" in capped and "少记 1 分" in capped


@pytest.mark.parametrize("hours", ["abc", "0", "13", "0.3", "nan"])
def test_volunteer_hours_refused(kiosk, hours):
    before = counts()
    refused(kiosk("member", "points", "DM9001", "--volunteer", hours, "--reason", "library"), hours, "0.5")
    assert counts() == before


def test_redeem(kiosk):
    out = ok(kiosk("member", "points", "DM9001", "--redeem", "4", "--reason", "兑换毛巾"))
    assert "4 分" in out and "余 6 分" in out
    assert (PointsEntry.get().amount, PointsEntry.get().note) == (-4, "兑换毛巾")


@pytest.mark.parametrize("amount, words", [("11", ("11", "10")), ("0", ("0",)), ("x", ("x",))])
def test_redeem_refused(kiosk, amount, words):
    before = counts()
    refused(kiosk("member", "points", "DM9001", "--redeem", amount, "--reason", "gift"), *words)
    assert counts() == before


def test_points_needs_one_of_volunteer_or_redeem(kiosk):
    before = counts()
    for args in ([], ["--volunteer", "1", "--redeem", "1"]):
        result = kiosk("member", "points", "DM9001", *args, "--reason", "gift")
        assert result.returncode == 2 and "Traceback" not in result.stderr
    assert counts() == before
