"""The certificates' PDF read back with poppler (pdftotext, pdfinfo): a page a certificate, the
kind, the senior's name (a rare character drawn by the fallback font, not a box), the course, the
term, the centre, the date and the seal's line.  A page of each kind is rendered to PNG (pdftoppm)
for docs/screenshots (BUREAU_SHOTS=docs/screenshots keeps them)."""

import re
import subprocess
from datetime import date

import pytest

from bureau.models import Site
from bureau.recognition import certificates, rules
from tests.bureau.conftest import SITE_NAME
from tests.bureau.test_rules import SITE, Till, sites  # noqa: F401 (a fixture)
from tools import bureau_screenshots as screenshots

from .world import TERM, build

DAY = date(2026, 10, 12)


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file: the rules run on both stores in test_rules.py."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def pages_of(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "certificates.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    assert f"Pages:           {len(pages)}" in info
    assert "841.89 x 595.28 pts (A4)" in info  # landscape
    return pages


def test_a_course_s_certificates_a_page_each_with_the_rare_name_drawn(sites, tmp_path):
    world = build(Till(SITE), date(2026, 9, 7))
    record = rules.course_record(world.taiji, world.at(35, 12))
    centre = Site.get(Site.code == SITE).name
    assert centre == SITE_NAME

    full = certificates.of_records([record], "full", centre, DAY)
    (page,) = pages_of(certificates.render(full), tmp_path)
    flat = "".join(page.split())
    for said in (
        "全勤奖",
        "王𠮷祥",
        "太极拳",
        TERM.replace(" ", ""),
        SITE_NAME,
        "3节课全部出勤",
        "盖章：",
        "2026年10月12日",
    ):
        assert said in flat, said
    assert "学号A0001" in flat

    graduation = certificates.of_records([record], "graduation", centre, DAY)
    pages = pages_of(certificates.render(graduation), tmp_path)
    names = ["王𠮷祥", "李秀英", "刘桂兰", "龚𪚥"]
    assert len(pages) == len(names)
    for page, name in zip(pages, names, strict=True):
        flat = "".join(page.split())
        assert "结业证书" in flat and name in flat and "准予结业" in flat
    assert "出勤2节（共3节）" in "".join(pages[1].split())

    out = screenshots.shots_dir(tmp_path / "shots")
    for kind, found in (("full", full), ("graduation", graduation[-1:])):
        pdf = tmp_path / f"{kind}.pdf"
        pdf.write_bytes(certificates.render(found))
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(out / f"certificate_{kind}")], check=True
        )
        assert (out / f"certificate_{kind}.png").read_bytes().startswith(b"\x89PNG")


def test_no_one_qualifying_is_one_page_saying_so(tmp_path):
    (page,) = pages_of(certificates.render([]), tmp_path)
    assert "没有符合条件的学员" in page


def fonts_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_the_fallback_font_draws_what_the_main_font_lacks_and_is_loaded_only_then(tmp_path):
    # 𠮷 (U+20BB7, Extension B) is one of the Extension B characters Noto Sans CJK SC has; 𪚥
    # (U+2A6A5) is not: HanaMinB draws it.
    plain = certificates.Certificate("full", "王𠮷祥", "A0001", SITE_NAME, TERM, "太极拳", 3, 3, DAY)
    rare = certificates.Certificate("full", "龚𪚥", "A0006", SITE_NAME, TERM, "太极拳", 3, 3, DAY)
    assert "HanaMinB" not in fonts_of(certificates.render([plain]), tmp_path)
    pdf = certificates.render([plain, rare])
    assert re.search(r"HanaMinB\S*\s.*\byes\s+yes\b", fonts_of(pdf, tmp_path))  # embedded and subset
    assert "龚𪚥" in "".join(pages_of(pdf, tmp_path)[1].split())
