"""The main path in headless Chromium: a centre's staff member opens a finished term in 班级课程,
follows 结业与表彰, opens a course and downloads its 全勤奖 certificates, read back with pdftotext.
BUREAU_SHOTS=docs/screenshots also keeps the pages' screenshots there."""

import subprocess

from bureau.models import Site
from tests.bureau.recognition.world import build, past_monday
from tests.bureau.test_rules import SITE, Till, sites  # noqa: F401 (a fixture)
from tools import bureau_screenshots as screenshots

from .signed_in import PASSWORD, account
from .test_recognition import store_url  # noqa: F401 (a fixture)


def test_staff_generate_a_courses_certificates_from_the_terms_page(server, sites, chromium, tmp_path):
    world = build(Till(SITE), past_monday())
    account("staffa", "staff", Site.get(Site.code == SITE))
    url, shots = server.url, screenshots.shots_dir(tmp_path / "shots")
    page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN", accept_downloads=True)
    screenshots.sign_in(page, url, "staffa", PASSWORD)
    page.goto(f"{url}/web/classes/terms/{world.term.id}")
    page.click("#recognition")
    assert page.url == f"{url}/web/recognition/terms/{world.term.id}"
    taiji = page.locator(f"#courses tr[data-course='{world.taiji.key}']")
    assert (taiji.locator("[data-kind=full]").inner_text(), taiji.locator("[data-kind=graduation]").inner_text()) == (
        "1",
        "4",
    )
    assert page.inner_text("#candidates tbody tr:first-child").split("\t")[:3] == ["1", "王𠮷祥", "A0001"]
    screenshots.shot(page, shots, "recognition")

    taiji.locator("a", has_text="太极拳").click()
    assert page.url.startswith(f"{url}/web/recognition/courses/{world.taiji.key}?")
    assert page.inner_text("#standings tr[data-member=A0004] [data-kind=graduation]") == "✓ 结业"
    screenshots.shot(page, shots, "recognition_course")

    with page.expect_download() as waiting:
        page.click("#pdf-full")
    download = waiting.value
    assert download.suggested_filename.endswith("太极拳-全勤奖.pdf")
    path = tmp_path / "full.pdf"
    download.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert flat.count("全勤奖") == 2 and "王𠮷祥" in flat and Site.get(Site.code == SITE).name in flat  # one page
    page.close()
