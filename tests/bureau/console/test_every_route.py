"""Every route of the console, tried by the accounts that must not get through it: a centre's staff
member of site B reaching for site A's things by URL and by form, and a read-only account posting
every form.  The routes are read from the app itself, so a page added later is tried too."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from bureau import admin, console, web
from bureau.care import situation, visits
from bureau.catalogue import items
from bureau.console.base import XLSX
from bureau.enrolment import applications, seasons
from bureau.models import (
    Activity,
    Application,
    AuditEntry,
    BureauUser,
    CatalogueItem,
    Course,
    Enrollment,
    Member,
    MemberSkill,
    Need,
    NeedTaker,
    Notice,
    Organisation,
    OrgMember,
    Redemption,
    Region,
    Season,
    Situation,
    SkillDomain,
    StreamMeta,
    Term,
    Visit,
    WebSession,
)
from bureau.organisations import orgs, rosters
from bureau.programme import activities, classes, hierarchy, notices
from bureau.programme.classes import CourseFields
from bureau.store import write
from bureau.volunteers import needs, skills

from .signed_in import SignedIn, account

A, B = "DEMO-001", "DEMO-002"
MARK = "甲站专属"  # in every title of site A: never on a page site B's staff get


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file: the scoping is the pages' own; the queries run on both stores elsewhere."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def world(store):
    """Site A with one of everything, site B with its staff, a viewer and an admin."""
    a = admin.add_site(A, f"{MARK}活动中心", prefix="XC")
    b = admin.add_site(B, "东城街道长者服务站", prefix="DC")
    account("staff-a", "staff", a)
    account("staff-b", "staff", b)
    account("reader", "viewer")
    account("boss", "admin")
    member = Member.create(member_no="XC0001", name=f"{MARK}王建华", phone_last4="1234", site=a)
    now = datetime.now().replace(second=0, microsecond=0)
    with write():
        city = hierarchy.add_region("boss", f"{MARK}市", "city")
        region = hierarchy.add_region("boss", f"{MARK}区", "district", city.id)
        hierarchy.place_site("boss", A, region.id, "center")
        start = now + timedelta(days=3)
        draft = activities.Draft(f"{MARK}健步行", start, start + timedelta(hours=2), capacity=10)
        (activity,) = activities.create(draft, [a], "staff-a")
        today = date.today()
        term = classes.save_term(a, f"{MARK}秋季", today - timedelta(days=7), today + timedelta(days=90), "staff-a")
        schedule = (classes.slot(f"{(today + timedelta(days=2)).isoweekday()} 09:00-11:00"),)
        course = classes.save_course(a, term, CourseFields(f"{MARK}太极拳", schedule=schedule), "staff-a")
        classes.enroll(course, member, "staff-a", now)
        notice = notices.publish(a, "notice", f"{MARK}通知", "", now, now + timedelta(days=2), "staff-a")
        # On site A's care lists (未来签到, 四必访, 出院回访): a situation and a visit of theirs.
        care = situation.Draft(
            lives_alone=True,
            hardship=("重病",),
            back_from_hospital=today - timedelta(days=1),
            phone="13812345678",
            contact_user="staff-a",
            contact_name=f"{MARK}联系人",
        )
        situation.save(member, care, "staff-a", today)
        went = visits.Entry("visit", today - timedelta(days=100), f"{MARK}走访人", follow_up="送药")
        visit = visits.record(member, went, "staff-a", today)
        painting = SkillDomain.get(SkillDomain.name == "书画")
        skills.set_skill(member, painting, f"{MARK}楷书", "staff-a")
        draft = needs.Draft(f"{MARK}春联义写", painting, f"{MARK}社区", "", start, None, 1)
        need = needs.create(a, draft, "staff-a")
        needs.dispatch(need, needs.matches(need, None)[0], "staff-a")
        branch = orgs.create("branch", a, orgs.Fields(f"{MARK}党支部", today, today + timedelta(days=30)), "staff-a")
        rosters.join(branch, member.member_no, "书记", today, "staff-a")
        prize = items.create(a, items.Fields(f"{MARK}保温杯", 100, 0), "staff-a")
        Redemption.create(
            request="r-a", member_no=member.member_no, item=prize, site=a, state="handed", points=100,
            requested_at=now, handed_at=now, over_stock=True,
        )  # fmt: skip
        window = seasons.Fields(
            f"{MARK}报名季", now - timedelta(hours=1), now + timedelta(days=7), now + timedelta(days=8)
        )
        season = seasons.open_season(a, term, window, "staff-a", now - timedelta(hours=2))
        seasons.offer(season, course, 5, None, None, "staff-a", now)
        applications.apply(season, course, member, "staff-a", now)
    session_a = WebSession.create(
        token_hash="0" * 64, user=BureauUser.get(BureauUser.username == "staff-a"), expires_at=now + timedelta(hours=8)
    )
    entry = AuditEntry.select().where(AuditEntry.site == a).get()
    return {
        "key": [activity.key, course.key, notice.key, branch.key, prize.key, season.key],
        "term_id": [term.id],
        "member_no": [member.member_no],
        "entry_id": [entry.id],
        "session_id": [session_a.id],
        "username": ["staff-a"],
        "kind": ["roster", "courses"],
        "category": ["activity"],
        "what": ["disable", "unlock"],
        "region": region.id,
        "visit_id": [visit.id],
        "need_id": [need.id],
        "domain_id": [painting.id],
    }


def routes() -> list[tuple[str, str]]:
    """(method, path) of every route under /web but signing in and out and the font."""
    found = []
    for router in [web.router, *console.routers()]:
        for route in router.routes:
            for method in sorted(route.methods):
                if route.path not in ("/web/login", "/web/logout", "/web/static/NotoSansCJKsc-Regular.otf"):
                    found.append((method, route.path))
    return found


def filled(path: str, world: dict) -> list[str]:
    """`path` with each {parameter} given every value of site A's that fits it."""
    paths = [path]
    for name in re.findall(r"{(\w+)}", path):
        paths = [p.replace(f"{{{name}}}", str(value)) for p in paths for value in world[name]]
    return paths


def everything_a_form_may_name(world: dict) -> dict:
    """Form fields that name site A's things, as a forged form would."""
    return {
        "site": A,
        "code": A,
        "every_site": "on",
        "region": world["region"],
        "region_id": world["region"],
        "parent_id": world["region"],
        "member_no": world["member_no"][0],
        "q": world["member_no"][0],
        "title": f"{MARK}伪造",
        "name": f"{MARK}伪造",
        "reason": "试一试",
        "start": "2030-01-01T09:00",
        "end": "2030-01-01T11:00",
        "kind": "center",
        "level": "street",
        "role": "admin",
        "password": "a-new-password-4711",
        "token": "x",
        "scope": f"site:{A}",
        "answer": "accepted",
        "domain": world["domain_id"][0],
        "detail": f"{MARK}伪造",
        "requester": f"{MARK}伪造",
        f"minutes_{world['member_no'][0]}": "60",
        "organisation": branch_key(),
        "course": Course.get().key,
        "until": date.today().isoformat(),
        "request": "r-a",  # site A's flagged handover (no price: a new item of staff-b's own would be theirs to add)
        "numbers": "1 2 3",
        "capacity": "9",
        "term": str(Term.get().id),
        "opens": "2030-01-01T09:00",
        "closes": "2030-01-02T09:00",
        "draw_at": "2030-01-03T09:00",
        "older_first": "75",
    }


def branch_key() -> str:
    return Organisation.get().key


def text_of(reply) -> str:
    """A page's text, or every cell of a downloaded workbook."""
    if reply.headers.get("content-type", "").startswith(XLSX):
        book = load_workbook(io.BytesIO(reply.content), read_only=True)
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    return reply.text


def state() -> tuple:
    """What a refused request must leave as it was."""
    return (
        AuditEntry.select().count(),
        [(m.stream, m.head_rev) for m in StreamMeta.select().order_by(StreamMeta.stream)],
        [(x.key, x.title, x.cancelled_at) for x in Activity.select().order_by(Activity.id)],
        [(x.key, x.withdrawn_at) for x in Notice.select().order_by(Notice.id)],
        [(x.key, x.title, x.withdrawn_at) for x in Course.select().order_by(Course.id)],
        [(x.name, x.start, x.end) for x in Term.select().order_by(Term.id)],
        [(x.member_no, x.status) for x in Enrollment.select().order_by(Enrollment.id)],
        [(x.name, x.parent_id) for x in Region.select().order_by(Region.id)],
        [(x.member_no, x.phone, x.contact_name, x.updated_by) for x in Situation.select().order_by(Situation.id)],
        [(x.id, x.visitor, x.follow_up_done) for x in Visit.select().order_by(Visit.id)],
        [(x.key, x.name, x.term_end, x.dissolved_at) for x in Organisation.select().order_by(Organisation.id)],
        [(x.member_no, x.role, x.until) for x in OrgMember.select().order_by(OrgMember.id)],
        [(x.title, x.status) for x in Need.select().order_by(Need.id)],
        [(x.member_no, x.status, x.minutes) for x in NeedTaker.select().order_by(NeedTaker.id)],
        [(x.member_no, x.detail) for x in MemberSkill.select().order_by(MemberSkill.id)],
        [(x.name, x.position) for x in SkillDomain.select().order_by(SkillDomain.id)],
        [(x.key, x.name, x.points, x.stock, x.withdrawn_at) for x in CatalogueItem.select().order_by(CatalogueItem.id)],
        [(x.request, x.state, x.checked_by) for x in Redemption.select().order_by(Redemption.id)],
        [(x.key, x.title, x.closes, x.applicants_hash, x.drawn_at) for x in Season.select().order_by(Season.id)],
        [(x.member_no, x.status, x.rank) for x in Application.select().order_by(Application.id)],
        # Last, as staff-b may change their own account (and so its sessions):
        [(u.username, u.role, u.disabled, u.password_hash) for u in BureauUser.select().order_by(BureauUser.id)],
        WebSession.select().count(),
    )


def test_a_centres_staff_find_nothing_of_another_site_by_any_url_or_form(server, world):
    b = SignedIn(server.url, "staff-b")
    token = b.csrf()
    before = state()
    let_through = []
    for method, path in routes():
        for target in filled(path, world):
            if method == "GET":
                for query in ({}, {"site": A, "node": f"site:{A}", "region": world["region"], "format": "xlsx"}):
                    reply = b.http.get(target, params=query)
                    if reply.status_code == 200 and MARK in text_of(reply):
                        let_through.append(f"GET {target} {query or ''}")
                    assert reply.status_code in (200, 303, 400, 403, 404), (target, reply.status_code)
            else:
                form = everything_a_form_may_name(world)
                reply = b.post(target, form, csrf=token)
                if reply.status_code in (200, 303) and target not in OWN_ACCOUNT:
                    let_through.append(f"POST {target} → {reply.status_code}")
    assert let_through == []
    assert len(routes()) > 60  # the console's routes were read, not an empty list
    after = state()
    # Only what staff-b may do to their own account changed: nothing of site A's.
    assert after[1:-2] == before[1:-2]
    b.close()


# A read-only account may change its own password and end its own sessions: nothing else.
OWN_ACCOUNT = {"/web/account/password", "/web/account/sessions/others"}


def test_a_viewer_changes_nothing_by_any_form(server, world):
    viewer = SignedIn(server.url, "reader")
    token = viewer.csrf()
    before = state()
    for method, path in routes():
        if method != "POST" or path.startswith("/web/account/"):
            continue
        for target in filled(path, world):
            reply = viewer.post(target, everything_a_form_may_name(world), csrf=token)
            assert reply.status_code in (403, 404), (target, reply.status_code, reply.text[:300])
    assert state() == before
    viewer.close()


def test_every_form_refuses_a_missing_or_foreign_token(server, world):
    boss = SignedIn(server.url, "boss")
    before = state()
    for method, path in routes():
        if method != "POST":
            continue
        for target in filled(path, world)[:1]:
            for csrf, origin in (("", True), ("forged-token", True), (None, False)):
                reply = boss.post(target, everything_a_form_may_name(world), csrf=csrf, origin=origin)
                assert reply.status_code == 403, (target, csrf, origin, reply.status_code)
    assert state() == before
    boss.close()
