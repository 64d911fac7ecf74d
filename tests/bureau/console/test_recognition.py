"""结业与表彰 (bureau/console/recognition.py) over HTTP against a real `python -m bureau serve`: a
centre's staff read a finished term's courses and candidates and download its certificates (a
course's, the term's) and the candidates' sheet; the bureau's read-only account reads and downloads
too; another centre's staff find nothing of it; bad choices are refused."""

import io
import subprocess
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from bureau.models import Site
from tests.bureau.recognition.world import TERM, World, build, past_monday
from tests.bureau.test_rules import OTHER_SITE, SITE, Till, sites  # noqa: F401 (a fixture)

from .signed_in import SignedIn, account


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the rules run on both stores in tests/bureau/recognition."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def world(sites) -> World:
    built = build(Till(SITE), past_monday())
    account("staff-a", "staff", Site.get(Site.code == SITE))
    account("staff-b", "staff", Site.get(Site.code == OTHER_SITE))
    account("reader", "viewer")
    return built


def pdf_pages(reply, tmp_path) -> list[str]:
    assert reply.status_code == 200, reply.text[:300]
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["cache-control"] == "no-store"
    path = tmp_path / "download.pdf"
    path.write_bytes(reply.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(page.split()) for page in text.split("\f")[:-1]]


def test_staff_read_the_term_and_download_its_certificates_and_candidates(server, world, tmp_path):
    a = SignedIn(server.url, "staff-a")
    term = a.get(f"/web/classes/terms/{world.term.id}").text
    assert f'href="/web/recognition/terms/{world.term.id}"' in term  # reached from the term's page

    page = a.get(f"/web/recognition/terms/{world.term.id}")
    assert page.status_code == 200
    assert "全勤奖 2 张" in page.text and "结业证书 5 张" in page.text  # 太极拳 1 + 4, 书法 1 + 1
    assert "另 3 节无人签到，不算" in page.text  # 书法's Wednesdays without a sign-in
    assert page.text.index("王𠮷祥") < page.text.index("刘桂兰") < page.text.index("李秀英") < page.text.index("张志强")

    course = a.get(f"/web/recognition/courses/{world.taiji.key}")
    assert course.status_code == 200 and '<strong id="held">3</strong>' in course.text
    assert "陈国栋" not in course.text  # dropped

    full = a.get(f"/web/recognition/courses/{world.taiji.key}/certificates.pdf", kind="full", day="2026-11-02")
    assert unquote(full.headers["content-disposition"]).endswith(f"{TERM}-太极拳-全勤奖.pdf")
    (certificate,) = pdf_pages(full, tmp_path)
    assert "王𠮷祥" in certificate and "全勤奖" in certificate and "2026年11月2日" in certificate

    pages = pdf_pages(a.get(f"/web/recognition/terms/{world.term.id}/certificates.pdf", kind="graduation"), tmp_path)
    names = ["王𠮷祥", "王𠮷祥", "李秀英", "刘桂兰", "龚𪚥"]
    assert len(pages) == len(names) and all(p.split("结业证书")[1].startswith(n) for p, n in zip(pages, names))
    assert "「书法」" in pages[0] and all("「太极拳」" in p for p in pages[1:])

    strict = pdf_pages(
        a.get(f"/web/recognition/terms/{world.term.id}/certificates.pdf", kind="graduation", share="67"), tmp_path
    )
    assert len(strict) == 2  # 2/3 is under 67%: only the full attendances

    sheet = a.get(f"/web/recognition/terms/{world.term.id}", format="xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "学号", "姓名")
    assert [r[:3] for r in rows[1:3]] == [(1, "A0001", "王𠮷祥"), (2, "A0004", "刘桂兰")]
    assert rows[2][6:] == ("66.7%", "3")
    a.close()


def test_a_viewer_reads_and_downloads_and_another_centre_finds_nothing(server, world, tmp_path):
    paths = [
        f"/web/recognition/terms/{world.term.id}",
        f"/web/recognition/terms/{world.term.id}/certificates.pdf?kind=full",
        f"/web/recognition/courses/{world.taiji.key}",
        f"/web/recognition/courses/{world.taiji.key}/certificates.pdf?kind=full",
    ]
    reader = SignedIn(server.url, "reader")
    assert [reader.http.get(p).status_code for p in paths] == [200] * 4
    assert "王𠮷祥" in pdf_pages(reader.http.get(paths[1]), tmp_path)[0]
    b = SignedIn(server.url, "staff-b")
    for path in paths:
        reply = b.http.get(path)
        assert reply.status_code == 404 and "王𠮷祥" not in reply.text, path
    reader.close()
    b.close()


def test_a_bad_choice_is_refused_with_what_is_wrong(server, world):
    a = SignedIn(server.url, "staff-a")
    pdf = f"/web/recognition/courses/{world.taiji.key}/certificates.pdf"
    assert a.get(pdf).status_code == 400
    assert "请选择证书" in a.get(pdf, kind="excellent").text
    assert "1 到 100" in a.get(f"/web/recognition/terms/{world.term.id}", share="0").text
    assert "格式不对" in a.get(pdf, kind="full", day="2026-13-01").text
    assert a.get("/web/recognition/terms/99999").status_code == 404
    a.close()
