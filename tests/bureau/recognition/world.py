"""A term of a site, as the recognition tests read it: courses made with the console's rules
(bureau.programme.classes: a holiday, a 停课, a 调课, enrolments, a drop), members, sign-ins and
volunteer hours pushed as a kiosk pushes them (bureau.ingest) and filed by bureau.rules.

太极拳 (Mondays 09:00-11:00, the term's six Mondays d0 … d35):
    d0  held            d7  held            d14 停课 (not counted)
    d21 调课 to d23 14:00 (held at its new time)  d28 国庆节 (a holiday)
    d35 the term's last day: not yet held, or held with nobody signed in, or held
书法 (Wednesdays 14:00-16:00, d2 … d30): only d2 and d9 had anyone sign in.

Sign-ins to 太极拳 (L1 d0, L2 d7, L3 the moved one):
    A0001 王𠮷祥  L1 L2 L3 (and both 书法 lessons)   全勤, 结业; 1 h of volunteering
    A0002 李秀英  L1 L2         2 of 3: 结业 at 2/3 exactly, not at 67%
    A0003 张志强  L1, and the moved lesson at its old time (no lesson then)   1 of 3; 5 h before the term
    A0004 刘桂兰  L2 L3, enrolled after L1 (those lessons count)   结业, not 全勤; 3 h of volunteering
    A0005 陈国栋  L1 L2 L3, but dropped: not on any list
    A0006 龚𪚥    L1 L3        2 of 3, no volunteering: ties with A0002
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bureau import rules
from bureau.models import Course, Member, Site, Term
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.store import write
from tests.bureau.test_rules import SITE, Till, member_fact, signin_fact
from tests.bureau.volunteers.test_volunteers import hours_fact

NAMES = {
    "A0001": "王𠮷祥",
    "A0002": "李秀英",
    "A0003": "张志强",
    "A0004": "刘桂兰",
    "A0005": "陈国栋",
    "A0006": "龚𪚥",
}
TERM = "2026 秋季"


@dataclass
class World:
    till: Till
    monday: date
    term: Term
    taiji: Course
    calligraphy: Course

    def day(self, n: int) -> date:
        return self.monday + timedelta(days=n)

    def at(self, n: int, hour: int = 9) -> datetime:
        return datetime.combine(self.day(n), time(hour))

    def attend(self, member_no: str, title: str, start: datetime) -> None:
        self.till.push(signin_fact(member_no, title, start, start + timedelta(minutes=3)))
        rules.catch_up()


def build(till: Till, monday: date) -> World:
    """The term above, its first day `monday`."""
    assert monday.isoweekday() == 1
    till.push(*(member_fact(no, f"h-{no}", name=name) for no, name in NAMES.items()))
    rules.catch_up()
    site = Site.get(Site.code == SITE)

    def d(n: int) -> date:
        return monday + timedelta(days=n)

    def at(n: int, hour: int = 9) -> datetime:
        return datetime.combine(d(n), time(hour))

    before = at(-7)
    members = {m.member_no: m for m in Member.select()}
    with write():
        term = classes.save_term(site, TERM, d(0), d(35), "staff")
        classes.add_holiday(term, d(28), "国庆节", "staff")
        taiji = classes.save_course(
            site, term, CourseFields("太极拳", schedule=(classes.slot("1 09:00-11:00"),)), "staff"
        )
        calligraphy = classes.save_course(
            site, term, CourseFields("书法", schedule=(classes.slot("3 14:00-16:00"),)), "staff"
        )
        classes.cancel_lesson(taiji, d(14), "老师生病", "staff", before)
        classes.move_lesson(taiji, d(21), at(23, 14), at(23, 16), "", "场地检修", "staff", before)
        for no in ("A0001", "A0002", "A0003", "A0005", "A0006"):
            classes.enroll(taiji, members[no], "staff", before)
        classes.enroll(taiji, members["A0004"], "staff", at(3))  # after the first lesson
        classes.drop(taiji, "A0005", "staff")
        classes.enroll(calligraphy, members["A0001"], "staff", before)
    l1, l2, l3 = at(0), at(7), at(23, 14)
    came = {"A0001": [l1, l2, l3], "A0002": [l1, l2], "A0003": [l1, at(21)], "A0004": [l2, l3]}
    came |= {"A0005": [l1, l2, l3], "A0006": [l1, l3]}
    facts = [signin_fact(no, "太极拳", s, s + timedelta(minutes=3)) for no, starts in came.items() for s in starts]
    facts += [signin_fact("A0001", "书法", at(n, 14), at(n, 14) + timedelta(minutes=5)) for n in (2, 9)]
    facts += [hours_fact("A0001", 1, at(10)), hours_fact("A0004", 3, at(10)), hours_fact("A0003", 5, at(-20))]
    till.push(*facts)
    rules.catch_up()
    return World(till, monday, Term.get_by_id(term.id), taiji, calligraphy)


def past_monday(weeks: int = 8) -> date:
    """A Monday at least `weeks` weeks ago: a term starting then is over by today."""
    today = date.today()
    return today - timedelta(days=today.weekday() + 7 * weeks)
