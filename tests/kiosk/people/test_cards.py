"""Printable QR member cards: ten a page, with name, number and the signed token."""

import re
import subprocess

import pytest

from kiosk import config, demo
from kiosk.fonts import FontChain
from kiosk.identity import tokens
from kiosk.people import cards
from kiosk.store.models import Member

NAMES = [
    "王建华",
    "李秀英",
    "张国庆",
    "刘桂兰",
    "陈志明",
    "杨淑珍",
    "赵德华",
    "黄玉梅",
    "周建国",
    "吴秀兰",
    "徐卫东",
    "孙丽华",
]


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def twelve(world):
    return [world.member(f"DM{n:04d}", name) for n, name in enumerate(NAMES, start=1)]


def test_sheet_has_ten_cards_a_page_with_names_numbers_and_tokens(world, twelve, settings, tmp_path):
    out = tmp_path / "out" / "cards.pdf"
    assert cards.render(settings, twelve, out) == 2
    assert pdf_pages(out) == 2
    text = pdf_text(out)
    for member in twelve:
        assert member.name in text
        assert f"会员号 {member.member_no}" in text
    assert "测试区老干部活动中心" in text  # the site's name from the database
    printed = re.findall(r"YL1-[A-Z0-9]+-\d+-[A-Z2-7]{16}", text)
    assert sorted(tokens.read(t, world.card_key) for t in printed) == [(m.member_no, 1) for m in twelve]


@pytest.mark.parametrize("count, pages", [(10, 1), (11, 2)])
def test_page_count(world, twelve, settings, tmp_path, count, pages):
    out = tmp_path / "cards.pdf"
    assert cards.render(settings, twelve[:count], out) == pages
    assert pdf_pages(out) == pages


def test_reissued_card_carries_the_new_issue(world, twelve, settings, tmp_path):
    Member.update(card_issue=3).where(Member.member_no == "DM0002").execute()
    out = tmp_path / "cards.pdf"
    cards.render(settings, cards.members_for(["DM0002"]), out)
    (printed,) = re.findall(r"YL1-[A-Z0-9]+-\d+-[A-Z2-7]{16}", pdf_text(out))
    assert tokens.read(printed, world.card_key) == ("DM0002", 3)


def _rare_demo_names(settings) -> list[str]:
    """The demo's names with a character the main font lacks (龚𪚥's U+2A6A5, at least)."""
    chain = FontChain(settings.display.font, settings.display.fallback_fonts)
    names = [m["name"] for m in demo.read(config.load().site.demo_data)["members"]]
    return [n for n in names if not chain.covers(settings.display.font_bold, n)]


def test_a_rare_character_in_the_bold_name_is_printed_from_the_fallback_font(world, settings, tmp_path):
    rare = _rare_demo_names(settings)
    assert "龚𪚥" in rare
    people = [world.member(f"DM{n:04d}", name) for n, name in enumerate(rare, start=1)]
    out = tmp_path / "cards.pdf"
    cards.render(settings, people, out)
    text = pdf_text(out)
    assert all(name in text for name in rare)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"HanaMinB\S*\s.*\byes\s+yes\b", fonts)  # embedded and subset


def test_members_for_keeps_the_order_given(twelve):
    assert [m.member_no for m in cards.members_for(["DM0003", "DM0001"])] == ["DM0003", "DM0001"]


def test_members_for_without_numbers_is_every_active_member(twelve):
    Member.update(active=False).where(Member.member_no == "DM0005").execute()
    chosen = [m.member_no for m in cards.members_for([])]
    assert chosen == [f"DM{n:04d}" for n in range(1, 13) if n != 5]


def test_members_for_names_every_unknown_number(twelve):
    with pytest.raises(KeyError) as e:
        cards.members_for(["DM0001", "XX0001", "DM0002", "XX0002"])
    assert e.value.args[0] == "XX0001, XX0002"


# -- sending a sheet to the printer --------------------------------------------------------------


def test_send_to_printer_appends_the_path(tmp_path):
    sheet, spool = tmp_path / "会员卡.pdf", tmp_path / "spool"
    sheet.write_bytes(b"%PDF-1.4")
    spool.mkdir()
    assert cards.send_to_printer(["cp", "-t", str(spool)], sheet) == ""
    assert (spool / "会员卡.pdf").read_bytes() == b"%PDF-1.4"


@pytest.mark.parametrize(
    "command, said",
    [
        (["sh", "-c", "echo 'lp: 打印机未连接'; exit 1", "lp"], "打印失败（代码 1）：lp: 打印机未连接"),  # stdout only
        (["sh", "-c", "exit 4", "lp"], "打印失败（代码 4）："),
        (["/no/such/lp"], "找不到打印命令 /no/such/lp，会员卡文件已保存"),
    ],
)
def test_send_to_printer_says_why_it_failed(tmp_path, command, said):
    assert cards.send_to_printer(command, tmp_path / "x.pdf") == said


def test_a_stuck_printer_is_given_up(tmp_path):
    assert cards.send_to_printer(["sh", "-c", "exec sleep 30", "lp"], tmp_path / "x.pdf", timeout=0.2) == (
        "打印机 0.2 秒没有响应，会员卡文件已保存"
    )
