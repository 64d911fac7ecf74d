"""A term's enrolment end to end, a real kiosk against a real bureau on loopback (on both stores):
staff open a season in the console with two courses (书法, 2 places; 太极, 55 to 75 years) whose
applicants of 65 and over draw first; the kiosk pulls it; seniors read their cards and apply (one
with an ID card for the age-limited course, and so shown to be 65, one who then withdraws); the
kiosk pushes and the bureau's rules file the facts; staff close the season, fix the list and draw
with public numbers; `python -m bureau lottery verify` re-runs the
draw from the published files alone and from the store; the kiosk pulls the results and the
rosters; each senior's next card read tells their result once, and the kiosk's roster has the
winners enrolled and the others waitlisted in draw order (docs/enrolment.md)."""

import re
from datetime import date, datetime, timedelta

from bureau.enrolment import lottery
from bureau.models import Application, Course, EventReject, Season
from bureau.models import Member as BureauMember
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.store import write as bureau_write
from kiosk.checkin.visit import Reception
from kiosk.enrolment import applications, seasons
from kiosk.enrolment.applications import Origin
from kiosk.enrolment.eligibility import NEEDS_ID_CARD, TOO_YOUNG, Applicant
from kiosk.identity import ids, tokens
from kiosk.identity.credentials import Credential
from kiosk.people import members
from kiosk.programme import enrollments
from kiosk.staff.audit import Actor
from kiosk.store.db import write
from kiosk.store.models import Course as KioskCourse
from kiosk.store.models import Member, Outbox, Site
from kiosk.store.models import Season as KioskSeason
from kiosk.sync.pull import pull_all
from kiosk.sync.push import backlog, push_all
from tests.kiosk.builders import ID_LI

from .conftest import SITE, cli
from .console.signed_in import SignedIn, account
from .test_kiosk_pull import bureau, here, settings  # noqa: F401  (fixtures)

NUMBERS = "07, 23；11"  # as staff type the numbers drawn in public
BORN_1958 = "11010119580315"  # 王建华's ID number without its sequence and check characters


def id_number(first14: str, sequence: str = "001") -> str:
    first17 = first14 + sequence
    return first17 + ids.check_char(first17)


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def id_card(number: str, name: str) -> Credential:
    """An ID card as the reader hands it over (its birth date read from the card)."""
    birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return Credential(method="idcard", id_number=number, name=name, birth_date=birth, valid_to=date(2040, 1, 1))


def register(settings, people: dict[str, tuple[str, str | None]], now: datetime) -> None:
    """Members registered at this kiosk (their "member" facts written, as the front desk does)."""
    key = bytes.fromhex(settings.security.id_hash_key)
    with write():
        site = Site.get(Site.code == SITE)
        for no, (name, number) in people.items():
            member = Member.create(
                member_no=no,
                name=name,
                site=site,
                joined=now.date(),
                id_hash=ids.id_hash(number, key) if number else None,
            )
            members.record_fact(Actor.of(None, settings), member, now)


def qr(settings, member_no: str) -> Credential:
    member = Member.get(Member.member_no == member_no)
    return Credential.qr(tokens.make(member_no, member.card_issue, bytes.fromhex(settings.security.card_key)))


def told(visit) -> list[tuple[str, str, int | None]]:
    return [(line.title, line.status, line.waitlist_position) for line in visit.drawn]


def roster(course_key: str) -> list[tuple[str, str, int | None]]:
    course = KioskCourse.get(KioskCourse.bureau_key == f"course:{course_key}")
    return [(r.member_no, r.status, r.position) for r in enrollments.roster(course.id)]


def test_a_terms_enrolment_from_the_season_to_the_result_told_at_the_kiosk(
    settings,
    bureau,
    server,
    store_url,
    kiosk,
    tmp_path,
):
    today = date.today()
    now0 = datetime.now().replace(second=0, microsecond=0)
    opens = now0 - timedelta(minutes=30)

    def during(minutes: int) -> datetime:
        """A moment of the open season, when the seniors came (all before staff close it)."""
        return opens + timedelta(minutes=minutes)

    # --- The bureau: the term and its courses; staff open a season in the console. ------------
    site = kiosk.site
    account("staff-a", "staff", site)
    with bureau_write():
        term = classes.save_term(site, "下学期", today + timedelta(days=30), today + timedelta(days=150), "staff-a")
        slot = (classes.slot("2 09:00-11:00"),)
        for title in ("书法", "太极"):
            classes.save_course(site, term, CourseFields(title, teacher="张老师", schedule=slot), "staff-a")
    calligraphy = Course.get(Course.title == "书法").key
    taichi = Course.get(Course.title == "太极").key
    staff = SignedIn(server.url, "staff-a")
    form = {
        "term": term.id,
        "title": "下学期报名",
        "opens": local(opens),
        "closes": local(now0 + timedelta(days=3)),
        "draw_at": local(now0 + timedelta(days=4)),
        "max_courses": "2",
        "members_only": "on",
        "older_first": "65",  # and no returning_first: the groups are 0 (65 and over) and 1
    }
    done = staff.post("/web/enrolment", form)
    assert done.status_code == 303, done.text
    key = done.headers["location"].rsplit("/", 1)[1]
    offered = (
        {"course": calligraphy, "capacity": "2"},
        {"course": taichi, "capacity": "0", "age_min": "55", "age_max": "75"},
    )
    for offer in offered:
        assert staff.post(f"/web/enrolment/{key}/offer", offer).status_code == 303

    # --- The kiosk: its members registered here, then the season and its courses pulled. -------
    wang = id_number(BORN_1958)  # 王建华: 68 or 69 on the term's first day
    people = {
        "XC0001": ("王建华", wang),
        "XC0002": ("李秀英", ID_LI),  # born 1991: too young for 太极
        "XC0003": ("张伟", None),
        "XC0004": ("欧阳建国", None),
        "XC0005": ("陈静", None),
    }
    register(settings, people, during(0))
    failed = {s: str(x) for s, x in pull_all(bureau, here(settings)).items() if isinstance(x, Exception)}
    assert failed == {}
    season = KioskSeason.get(KioskSeason.key == key)
    assert (season.title, season.max_courses, season.members_only, season.drawn) == ("下学期报名", 2, True, False)
    assert (season.returning_first, season.older_first) == (False, 65)
    assert sorted(seasons.course_keys(season)) == sorted([calligraphy, taichi])
    ages = {c.name: (c.capacity, c.age_min, c.age_max) for c in seasons.courses(season)}
    assert ages == {"书法": (2, None, None), "太极": (0, 55, 75)}

    # A card read during the season offers 报名选课; a QR card cannot show the age.
    reception = Reception(settings)
    origin = Origin(settings.kiosk.id, settings.site.code)
    visit = reception.identify(qr(settings, "XC0001"), during(1))
    assert visit.senior.member_no == "XC0001" and visit.season is not None and visit.season.key == key
    cards = {c.title: c.refusal for c in seasons.cards(key, Applicant.of("XC0001", None), SITE)}
    assert cards == {"书法": "", "太极": NEEDS_ID_CARD}

    # --- Seniors apply at the kiosk. -----------------------------------------------------------
    def apply(member_no: str, course: str, minute: int, cred: Credential | None = None, withdraw: bool = False):
        cred = cred or qr(settings, member_no)
        visit = reception.identify(cred, during(minute))
        assert visit.senior is not None and visit.senior.member_no == member_no, visit
        senior = Applicant.of(member_no, cred)
        change = applications.withdraw if withdraw else applications.apply
        return change(senior, key, course, during(minute), origin)

    for minute, no in enumerate(("XC0001", "XC0002", "XC0003", "XC0004", "XC0005"), 2):
        assert apply(no, calligraphy, minute).kind == "applied"
    assert (apply("XC0001", taichi, 8).kind, apply("XC0001", taichi, 8).refusal) == ("refused", NEEDS_ID_CARD)
    assert apply("XC0001", taichi, 9, id_card(wang, "王建华")).kind == "applied"  # the ID card's age fits
    li = apply("XC0002", taichi, 10, id_card(ID_LI, "李秀英"))
    assert (li.kind, li.refusal) == ("refused", TOO_YOUNG)
    assert apply("XC0004", calligraphy, 11, withdraw=True).kind == "withdrawn"
    assert backlog() == 5 + 7  # five members, six applications and one withdrawal: refusals write nothing
    assert "1958" not in " ".join(o.payload for o in Outbox.select())  # no birth date leaves the kiosk

    # --- The kiosk pushes; the bureau's rules file the facts (the pull after it catches them up).
    assert sum(p.inserted for p in push_all(bureau, settings.sync.batch)) == 12
    assert backlog() == 0
    pull_all(bureau, here(settings))
    assert EventReject.select().count() == 0
    assert BureauMember.select().where(BureauMember.site == site).count() == 5
    filed = {
        (a.course.title, a.member_no): (a.status, a.age_checked, a.older) for a in Application.select().join(Course)
    }
    assert filed == {  # QR cards for 书法: nobody shown to be 65; the ID card for 太极 did
        ("书法", "XC0001"): ("applied", False, False),
        ("书法", "XC0002"): ("applied", False, False),
        ("书法", "XC0003"): ("applied", False, False),
        ("书法", "XC0004"): ("withdrawn", False, False),
        ("书法", "XC0005"): ("applied", False, False),
        ("太极", "XC0001"): ("applied", True, True),
    }

    # --- Staff close the season (its close moved to now, as time would), fix the list, draw. ---
    closed = {**form, "closes": local(now0), "draw_at": local(now0)}
    assert staff.post(f"/web/enrolment/{key}", closed).status_code == 303
    pull_all(bureau, here(settings))
    assert reception.identify(qr(settings, "XC0003"), datetime.now()).season is None  # 报名选课 no longer offered
    assert apply("XC0003", taichi, 40).kind == "closed"  # after closing: no fact written
    assert backlog() == 0
    assert staff.post(f"/web/enrolment/{key}/freeze").status_code == 303
    hashed = Season.get(Season.key == key).applicants_hash
    assert hashed and hashed in staff.get(f"/web/enrolment/{key}/draw").text
    applicants = staff.get(f"/web/enrolment/{key}/applicants.csv")
    places = staff.get(f"/web/enrolment/{key}/places.csv")
    assert applicants.status_code == places.status_code == 200
    listed = sorted(applicants.text.splitlines()[1:])
    assert listed == sorted(
        [f"{calligraphy},{no},1" for no in ("XC0001", "XC0002", "XC0003", "XC0005")] + [f"{taichi},XC0001,0"]
    )
    assert sorted(places.text.splitlines()[1:]) == sorted([f"{calligraphy},2", f"{taichi},"])
    assert staff.post(f"/web/enrolment/{key}/draw", {"numbers": NUMBERS}).status_code == 303
    drawn = Season.get(Season.key == key)
    assert drawn.public_numbers == "07 23 11" and drawn.seed == lottery.seed(hashed, "07 23 11")
    ranks = {
        a.member_no: (a.rank, a.status)
        for a in Application.select().join(Course).where(Course.key == calligraphy, Application.rank.is_null(False))
    }
    order = sorted(ranks, key=lambda no: ranks[no][0])
    assert [ranks[no] for no in order] == [(1, "won"), (2, "won"), (3, "waitlisted"), (4, "waitlisted")]
    winners, waiting = order[:2], order[2:]

    # --- Anyone re-runs the draw from the published files alone, and from the store. -----------
    (tmp_path / "applicants.csv").write_text(applicants.text, encoding="utf-8")
    (tmp_path / "places.csv").write_text(places.text, encoding="utf-8")
    outside = tmp_path / "anyone"
    outside.mkdir()
    files = ("--applicants", str(tmp_path / "applicants.csv"), "--capacity", str(tmp_path / "places.csv"))
    done = cli("unused.db", "lottery", "verify", *files, "--numbers", NUMBERS, "--hash", hashed, cwd=outside)
    assert done.returncode == 0 and "MATCHES the published hash" in done.stdout, done.stdout + done.stderr
    assert f"seed\t{drawn.seed}" in done.stdout
    printed = re.findall(rf"^{calligraphy}\t\t(\d)\t(XC\d+)\t1\t(won|waitlisted \d)$", done.stdout, re.M)
    assert printed == [
        ("1", winners[0], "won"),
        ("2", winners[1], "won"),
        ("3", waiting[0], "waitlisted 1"),
        ("4", waiting[1], "waitlisted 2"),
    ]
    assert re.findall(rf"^{taichi}\t\t1\tXC0001\t0\twon$", done.stdout, re.M)
    assert list(outside.iterdir()) == []  # no store made
    done = cli(store_url, "lottery", "verify", "--season", key, cwd=tmp_path)
    assert done.returncode == 0 and "MATCHES the result filed" in done.stdout, done.stdout + done.stderr

    # --- The kiosk pulls the results and the rosters. ------------------------------------------
    failed = {s: str(x) for s, x in pull_all(bureau, here(settings)).items() if isinstance(x, Exception)}
    assert failed == {}
    assert KioskSeason.get(KioskSeason.key == key).drawn
    assert roster(calligraphy) == [
        (winners[0], "enrolled", None),
        (winners[1], "enrolled", None),
        (waiting[0], "waitlisted", 1),
        (waiting[1], "waitlisted", 2),
    ]
    assert roster(taichi) == [("XC0001", "enrolled", None)]

    # Each senior's next card read tells their result, once.
    after = datetime.now()
    expected = {no: [("书法", "won", None)] for no in winners}
    expected.update({no: [("书法", "waitlisted", n)] for n, no in enumerate(waiting, 1)})
    expected["XC0001"] = [*expected["XC0001"], ("太极", "won", None)]
    expected["XC0004"] = []  # withdrew: nothing to tell
    for no in sorted(people):
        visit = reception.identify(qr(settings, no), after)
        assert sorted(told(visit)) == sorted(expected[no]), no
        assert visit.season is None
    for no in sorted(people):
        assert told(reception.identify(qr(settings, no), after + timedelta(minutes=5))) == [], no
    staff.close()
