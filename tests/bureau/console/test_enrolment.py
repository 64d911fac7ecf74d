"""报名摇号 in the console through the real server: a season opened and its courses chosen, the desk
applying for a senior (a relative's reason audited), the list fixed and its files downloaded, the
draw, the result list (masked names, .xlsx), 验证摇号 for a read-only account, and
`python -m bureau lottery verify` from the store and from the downloaded files alone."""

import io
import json
import re
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from bureau.enrolment import lottery
from bureau.models import Application, AuditEntry, Course, Member, Season, Term
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.store import write
from tests.bureau.conftest import cli

from .signed_in import SignedIn, account, reason_of_last

A = "DEMO-001"


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def setup_site(store):
    from bureau import admin

    site = admin.add_site(A, "甲站老年大学", prefix="XC")
    account("staff-a", "staff", site)
    account("reader", "viewer")
    names = ["王建华", "李秀英", "张伟", "欧阳建国", "陈静"]
    people = [Member.create(member_no=f"XC{n:04d}", name=name, site=site) for n, name in enumerate(names, 1)]
    today = date.today()
    with write():
        term = classes.save_term(site, "下学期", today + timedelta(days=30), today + timedelta(days=150), "staff-a")
        slot = (classes.slot("2 09:00-11:00"),)
        for title in ("书法", "合唱"):
            classes.save_course(site, term, CourseFields(title, schedule=slot), "staff-a")
    return site, term, people


def test_a_season_from_opening_to_a_verified_draw(server, store, store_url, tmp_path):
    site, term, people = setup_site(store)
    staff = SignedIn(server.url, "staff-a")
    now = datetime.now().replace(second=0, microsecond=0)
    form = {
        "term": term.id,
        "title": "春季报名",
        "opens": local(now - timedelta(minutes=5)),
        "closes": local(now + timedelta(days=3)),
        "draw_at": local(now + timedelta(days=4)),
        "max_courses": "1",
        "members_only": "on",
    }
    done = staff.post("/web/enrolment", form)
    assert done.status_code == 303, done.text
    key = done.headers["location"].rsplit("/", 1)[1]
    calligraphy = Course.get(Course.title == "书法").key
    choir = Course.get(Course.title == "合唱").key
    assert (
        staff.post(f"/web/enrolment/{key}/offer", {"course": calligraphy, "capacity": "2", "age_min": "50"}).status_code
        == 303
    )
    assert staff.post(f"/web/enrolment/{key}/offer", {"course": choir, "capacity": "0"}).status_code == 303
    page = staff.get(f"/web/enrolment/{key}").text
    assert "50 岁及以上" in page and "报名中" in page

    # The desk: an age-limited course needs the ID card's birth date; an absent senior a reason.
    refused = staff.post(f"/web/enrolment/{key}/apply", {"member_no": "XC0001", "course": calligraphy})
    assert refused.status_code == 400 and "出生日期" in refused.text
    no_reason = staff.post(f"/web/enrolment/{key}/apply", {"member_no": "XC0001", "course": choir, "absent": "on"})
    assert no_reason.status_code == 400 and "代办原因" in no_reason.text
    birth = "1960-05-01"
    for member in people:
        done = staff.post(
            f"/web/enrolment/{key}/apply", {"member_no": member.member_no, "course": calligraphy, "birth": birth}
        )
        assert done.status_code == 303, done.text
    done = staff.post(
        f"/web/enrolment/{key}/apply",
        {"member_no": "XC0001", "course": choir, "absent": "on", "reason": "女儿代办"},
    )
    assert done.status_code == 400 and "超过每人限报门数" in done.text  # max 1 course
    assert (
        staff.post(f"/web/enrolment/{key}/unapply", {"member_no": "XC0005", "course": calligraphy}).status_code == 303
    )
    done = staff.post(
        f"/web/enrolment/{key}/apply", {"member_no": "XC0005", "course": choir, "absent": "on", "reason": "女儿代办"}
    )
    assert done.status_code == 303
    assert reason_of_last("application.apply") == ("staff-a", "春季报名 合唱 XC0005", "女儿代办")

    # Closing: the list is fixed (here by moving the season's close into the past, as time would).
    Season.update(closes=now - timedelta(minutes=1), draw_at=now).where(Season.key == key).execute()
    assert staff.post(f"/web/enrolment/{key}/freeze").status_code == 303
    draw_page = staff.get(f"/web/enrolment/{key}/draw").text
    hashed = Season.get(Season.key == key).applicants_hash
    assert hashed in draw_page
    applicants = staff.get(f"/web/enrolment/{key}/applicants.csv")
    places = staff.get(f"/web/enrolment/{key}/places.csv")
    assert applicants.status_code == 200 and lottery.sha256(applicants.text.split("\n", 1)[1]) == hashed
    assert sorted(places.text.splitlines()) == sorted(["course,places", f"{calligraphy},2", f"{choir},"])
    assert staff.post(f"/web/enrolment/{key}/draw", {"numbers": "07 23 11"}).status_code == 303
    season = Season.get(Season.key == key)
    assert season.public_numbers == "07 23 11" and season.seed in staff.get(f"/web/enrolment/{key}/draw").text
    assert staff.get(f"/web/enrolment/{key}/places.csv").text == places.text  # the draw's, not what is left
    won = Application.select().where(Application.status == "won").count()
    assert won == 3 and Application.select().where(Application.status == "waitlisted").count() == 2

    # The result list: masked names for the notice board, and its .xlsx.
    results = staff.get(f"/web/enrolment/{key}/results", course=calligraphy).text
    assert "王*华" in results and "欧**国" in results and "王建华" not in results and "@media print" in results
    sheet = staff.get(f"/web/enrolment/{key}/results", course=calligraphy, format="xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("名次", "姓名", "学号", "优先组", "结果", "说明") and [r[0] for r in rows[1:]] == [1, 2, 3, 4]
    assert [r[4] for r in rows[1:]] == ["中签", "中签", "候补", "候补"]
    assert {r[3] for r in rows[1:]} == {None}  # no priority groups in this season: none stated

    # 验证摇号 for a read-only account; with other numbers it does not match.
    reader = SignedIn(server.url, "reader")
    assert "一致：重新计算的顺序与记录的结果相同" in reader.get("/web/enrolment/verify", season=key).text
    assert "不一致" in reader.get("/web/enrolment/verify", season=key, numbers="1 2 3").text

    # The CLI, from the store and from the downloaded files alone (no store opened for those).
    done = cli(store_url, "lottery", "verify", "--season", key, cwd=tmp_path)
    assert done.returncode == 0 and "MATCHES the result filed" in done.stdout, done.stdout + done.stderr
    (tmp_path / "applicants.csv").write_text(applicants.text, encoding="utf-8")
    (tmp_path / "places.csv").write_text(places.text, encoding="utf-8")
    outside = tmp_path / "anyone"
    outside.mkdir()
    args = ("--applicants", str(tmp_path / "applicants.csv"), "--capacity", str(tmp_path / "places.csv"))
    done = cli("unused.db", "lottery", "verify", *args, "--numbers", "07, 23, 11", "--hash", hashed, cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = re.findall(rf"^{calligraphy}\t\t(\d)\t(XC\d+)\t\d\t(\S+)", done.stdout, re.M)
    drawn = Application.select().join(Course).where(Course.key == calligraphy, Application.rank.is_null(False))
    filed = {a.member_no: a.rank for a in drawn}
    assert [(int(rank), no) for rank, no, _ in printed] == sorted((r, no) for no, r in filed.items())
    assert list(outside.iterdir()) == []  # no store made
    done = cli("unused.db", "lottery", "verify", *args, "--numbers", "1", "--hash", hashed[::-1], cwd=outside)
    assert done.returncode == 1 and "DOES NOT MATCH" in done.stdout
    staff.close()
    reader.close()


def test_the_verify_page_and_a_season_of_another_site(server, store):
    setup_site(store)
    reader = SignedIn(server.url, "reader")
    assert reader.get("/web/enrolment/verify").status_code == 200
    assert reader.get("/web/enrolment/verify", season="nosuchseason").status_code == 404
    assert reader.get("/web/enrolment/nosuchseason").status_code == 404
    assert Term.select().count() == 1
    reader.close()


def test_older_first_in_the_season_form_at_the_desk_and_in_the_result(server, store):
    site, _, people = setup_site(store)
    with write():  # a term starting on 1 March: one born on 1955-03-01 is 75 that day
        term = classes.save_term(site, "2030 春季", date(2030, 3, 1), date(2030, 6, 30), "staff-a")
        course = classes.save_course(site, term, CourseFields("太极", schedule=(classes.slot("3 09:00-10:00"),)), "s")
    staff = SignedIn(server.url, "staff-a")
    now = datetime.now().replace(second=0, microsecond=0)
    form = {
        "term": term.id,
        "title": "2030 春季报名",
        "opens": local(now + timedelta(minutes=5)),
        "closes": local(now + timedelta(days=3)),
        "draw_at": local(now + timedelta(days=4)),
        "max_courses": "2",
    }
    for wrong in ("49", "121", "七十", "-75"):
        refused = staff.post("/web/enrolment", {**form, "older_first": wrong})
        assert refused.status_code == 400 and "按年龄优先" in refused.text, wrong
    assert Season.select().count() == 0
    done = staff.post("/web/enrolment", {**form, "older_first": ""})
    key = done.headers["location"].rsplit("/", 1)[1]
    assert Season.get(Season.key == key).older_first is None
    # Before the season opens the age may change; it is audited with the rest.
    assert staff.post(f"/web/enrolment/{key}", {**form, "older_first": "75"}).status_code == 303
    assert Season.get(Season.key == key).older_first == 75
    entry = AuditEntry.select().where(AuditEntry.action == "season.update").order_by(AuditEntry.id.desc()).get()
    assert json.loads(entry.detail)["older_first"] == 75
    assert staff.post(f"/web/enrolment/{key}/offer", {"course": course.key, "capacity": "1"}).status_code == 303
    Season.update(opens=now - timedelta(minutes=1)).where(Season.key == key).execute()
    opened = {**form, "opens": local(now - timedelta(minutes=1))}
    page = staff.get(f"/web/enrolment/{key}", q="XC0001").text  # the desk's form with the member found
    assert "开学第一天满 75 岁优先" in page and "按年龄优先也要填" in page and 'name="older_first"' in page
    changed = staff.post(f"/web/enrolment/{key}", {**opened, "older_first": "70"})
    assert changed.status_code == 400 and "不能再修改按年龄优先" in changed.text
    assert staff.post(f"/web/enrolment/{key}", {**opened, "older_first": "75"}).status_code == 303  # the same: fine

    # The desk: the birth date from the ID card decides; no birth date, not shown to be older.
    births = {"XC0001": "1955-03-01", "XC0002": "1955-03-02", "XC0003": ""}  # 75 that day, 74, unknown
    for number, birth in births.items():
        done = staff.post(f"/web/enrolment/{key}/apply", {"member_no": number, "course": course.key, "birth": birth})
        assert done.status_code == 303, done.text
    filed = {a.member_no: (a.older, a.age_checked) for a in Application.select()}
    assert filed == {"XC0001": (True, True), "XC0002": (False, True), "XC0003": (False, False)}
    assert "已核验（75 岁及以上）" in staff.get(f"/web/enrolment/{key}").text
    entry = AuditEntry.select().where(AuditEntry.action == "application.apply").order_by(AuditEntry.id).first()
    assert json.loads(entry.detail)["older"] is True and "1955" not in entry.detail

    # Fixed and drawn: the one of 75 draws first, and the draw page and the result say why.
    Season.update(closes=now - timedelta(seconds=30), draw_at=now).where(Season.key == key).execute()
    assert staff.post(f"/web/enrolment/{key}/freeze").status_code == 303
    assert {a.member_no: a.priority for a in Application.select()} == {"XC0001": 0, "XC0002": 1, "XC0003": 1}
    assert "第 0 组 75 岁及以上 → 第 1 组 其他报名者" in staff.get(f"/web/enrolment/{key}/draw").text
    assert staff.post(f"/web/enrolment/{key}/draw", {"numbers": "5 5 5"}).status_code == 303
    shown = staff.get(f"/web/enrolment/{key}/results", course=course.key).text
    assert "第 0 组 75 岁及以上 → 第 1 组 其他报名者" in shown
    sheet = staff.get(f"/web/enrolment/{key}/results", course=course.key, format="xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[1][2:5] == ("XC0001", "75 岁及以上", "中签")
    assert [r[3] for r in rows[2:]] == ["其他报名者", "其他报名者"] and len(people) == 5
    staff.close()
