"""A centre's staff member opens an enrolment season, chooses its courses, fixes the list and runs
the public draw, in headless Chromium against a real `python -m bureau serve`.  The pages are shot
as they go (OUT: BUREAU_SHOTS, default the test's tmp dir) for docs/screenshots."""

from datetime import date, datetime, timedelta

import pytest

from bureau import admin, users
from bureau.enrolment import applications
from bureau.models import Application, Course, Member, Season
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.store import write
from tools import bureau_screenshots as screenshots

PASSWORD = "correct-horse-9"
NAMES = ["王建华", "李秀英", "张伟", "欧阳建国", "陈静", "刘洋", "赵敏", "孙丽", "周桂兰", "吴国强", "郑淑珍", "冯志明"]


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the draw itself runs on both stores in tests/bureau/enrolment."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def test_staff_open_a_season_and_run_the_draw(store, server, tmp_path):
    site = admin.add_site("DEMO-001", "示范区老年大学", prefix="XC")
    users.add_user("liuxia", PASSWORD, "staff", site, full_name="刘霞")
    people = [Member.create(member_no=f"XC{n:04d}", name=name, site=site) for n, name in enumerate(NAMES, 1)]
    today = date.today()
    with write():
        term = classes.save_term(site, "2027 春季", today + timedelta(days=40), today + timedelta(days=160), "liuxia")
        for title in ("书法", "合唱", "太极拳", "智能手机"):
            classes.save_course(site, term, CourseFields(title, schedule=(classes.slot("3 09:00-11:00"),)), "liuxia")
    out = screenshots.shots_dir(tmp_path / "shots")
    now = datetime.now().replace(second=0, microsecond=0)

    with screenshots.browser() as chromium:
        page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
        screenshots.sign_in(page, server.url, "liuxia", PASSWORD)
        page.click("nav >> text=报名摇号")
        assert page.url == server.url + "/web/enrolment"
        form = page.locator("#open-season")
        form.locator("input[name=title]").fill("2027 春季报名")
        form.locator("input[name=opens]").fill((now - timedelta(minutes=10)).isoformat(timespec="minutes"))
        form.locator("input[name=closes]").fill((now + timedelta(days=7)).isoformat(timespec="minutes"))
        form.locator("input[name=draw_at]").fill((now + timedelta(days=8)).isoformat(timespec="minutes"))
        form.locator("input[name=older_first]").fill("70")  # applicants of 70 and over draw first
        form.locator("button[type=submit]").click()
        season = Season.get()
        assert season.older_first == 70 and "开学第一天满 70 岁优先" in page.inner_text("main")
        assert page.url == f"{server.url}/web/enrolment/{season.key}"
        for title, places, age_min, age_max in (
            ("书法", "3", "", ""),
            ("合唱", "0", "", ""),
            ("太极拳", "4", "55", "75"),
        ):
            offer = page.locator("#offer")
            offer.locator("select[name=course]").select_option(label=title)
            offer.locator("input[name=capacity]").fill(places)
            offer.locator("input[name=age_min]").fill(age_min)
            offer.locator("input[name=age_max]").fill(age_max)
            offer.locator("button[type=submit]").click()
        assert page.locator("#courses tbody tr").count() == 3
        assert "55–75 岁" in page.inner_text("#courses")

        # Applications as the kiosks and the desk make them (the desk's own form: test_enrolment.py).
        courses = {c.title: c for c in Course.select()}
        with write():
            for n, member in enumerate(people):
                applications.apply(season, courses["书法"], member, "liuxia", now)
                if n % 2:
                    applications.apply(season, courses["太极拳"], member, "liuxia", now, date(1955, 6, 1))
                elif n < 6:
                    applications.apply(season, courses["合唱"], member, "liuxia", now)
        page.goto(f"{server.url}/web/enrolment/{season.key}")
        assert "报名多于名额：摇号" in page.inner_text("#courses")
        screenshots.shot(page, out, "enrolment_season")

        Season.update(closes=now - timedelta(minutes=1), draw_at=now).where(Season.id == season.id).execute()
        page.click("text=摇号与公布")
        page.click("#freeze button")
        hashed = Season.get().applicants_hash
        assert page.inner_text("#applicants-hash") == hashed
        page.fill("#draw input[name=numbers]", "07 23 11 35 02")
        page.click("#draw button")
        season = Season.get()
        assert page.inner_text("#seed") == season.seed and page.inner_text("#numbers") == "07 23 11 35 02"
        assert "第 2 组 70 岁及以上 → 第 3 组 其他报名者" in page.inner_text("#groups")
        screenshots.shot(page, out, "enrolment_draw")
        assert (
            Application.select().where(Application.status == "won").count() == 3 + 3 + 4
        )  # 书法 3 places, all 3 of 合唱, 太极拳 4 places

        page.click("#places >> text=摇号结果 >> nth=0")
        assert "王*华" in page.inner_text("#results") and "中签" in page.inner_text("#results")
        assert "70 岁及以上" in page.inner_text("#groups")
        screenshots.shot(page, out, "enrolment_results")
        page.goto(f"{server.url}/web/enrolment/verify?season={season.key}")
        assert "一致" in page.inner_text("#verdict")
