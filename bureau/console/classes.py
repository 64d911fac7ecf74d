"""Classes (班级课程): a site's terms and holidays, its courses and their weekly timetable, lesson
changes (停课, 调课: each makes its notice) and the rosters (enrolment, waitlist), with the
rosters' and course lists' spreadsheets.  The rules are bureau/programme/classes.py's.

    GET  /web/classes?site=&page=              terms of the sites the account sees (the past ones
                                               paged); a new term
    GET  /web/classes/terms/{id}               the term: holidays, courses; POST …/terms/{id} edits it
    GET  /web/classes/terms/{id}/timetable     the week grid       …/courses.xlsx  the course list
    GET  /web/classes/terms/{id}/timetable.xlsx  the week's lessons, a row each
    GET  /web/classes/courses/{key}?q=         a course: lessons and their changes, roster, search
    GET  /web/classes/courses/{key}/roster.xlsx

A term or course of a site the account does not see answers 404, by URL or by form.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bureau.console import base
from bureau.console.base import BadQuery, Viewer, action, not_found, page
from bureau.models import Course, LessonChange, Member, Site, Term
from bureau.programme import classes, members
from bureau.programme.classes import ClassError
from bureau.store import write
from contract.cells import Sheet

router = APIRouter(prefix="/web")
ERROR = "classes_error.html"
SLOTS = 4  # weekly times a course form offers
REASON_MAX = 80  # a reason is shown in a notice on the kiosk's screen
PAST_PAGE = 40  # past terms a page: a term of each of forty sites


@contextmanager
def refusing() -> Iterator[None]:
    """A rule's refusal (ClassError) shown to the staff member as a bad form."""
    try:
        yield
    except ClassError as e:
        raise BadQuery(str(e)) from None


def now() -> datetime:
    return datetime.now().replace(second=0, microsecond=0)


# --- finding what the account may see ----------------------------------------------------------------


def term_of(viewer: Viewer, term_id: int) -> Term:
    term = Term.get_or_none(Term.id == term_id)
    if term is None or not viewer.sees(term.site):
        raise not_found("没有这个学期，或您无权查看。")
    return term


def course_of(viewer: Viewer, key: str) -> Course:
    course = Course.get_or_none(Course.key == key)
    if course is None or not viewer.sees(course.site):
        raise not_found("没有这门课程，或您无权查看。")
    return course


def member_of(viewer: Viewer, member_no: str) -> Member:
    found = viewer.scope(Member.select(), Member.site).where(Member.member_no == member_no.strip().upper()).first()
    if found is None:
        raise not_found(f"没有学号 {member_no} 的学员，或您无权查看。")
    return found


# --- terms -------------------------------------------------------------------------------------------


@router.get("/classes")
def terms(request: Request) -> Response:
    """The current and coming terms first, all of them (a few a site); the past ones below, a
    page at a time (ten years of forty sites are 800 terms)."""

    def figures(viewer: Viewer) -> dict:
        site = viewer.site_or_all(request.query_params.get("site"))
        number = base.page_number(request)
        today = date.today()
        query = Term.select(Term, Site).join(Site).order_by(Term.start.desc(), Term.name, Site.code, Term.id)
        query = query.where(Term.site == site) if site else viewer.scope(query, Term.site)
        current = list(query.where(Term.end >= today))
        past = query.where(Term.end < today)
        if base.wants_xlsx(request):  # every term, the past ones too
            return terms_sheet(current + list(past), today)
        total = past.count()
        older = list(past.paginate(number, PAST_PAGE))
        return {
            "terms": current,
            "older": older,
            "older_total": total,
            "number": number,
            "pages": max(1, -(-total // PAST_PAGE)),
            "courses": classes.course_counts(current + older),
            "site": site,
            "sites": list(viewer.sites()),
            "today": today,
        }

    return page(request, "classes_terms.html", figures)


def terms_sheet(terms: list[Term], today: date) -> Response:
    counts = classes.course_counts(terms)
    header = ["学期", "站点", "开始", "结束", "课程数", "状态"]
    rows = [
        [t.name, t.site.name, t.start, t.end, counts[t.id], "本学期" if t.start <= today <= t.end else ""]
        for t in terms
    ]
    return base.xlsx(base.dated("学期列表"), Sheet("学期", header, rows))


@router.post("/classes/terms")
async def create_term(request: Request) -> Response:
    def change(viewer: Viewer, form) -> str:
        site = viewer.site(base.text(form, "site", "站点"))
        if not viewer.owns(site):
            raise not_found()
        with write(), refusing():
            term = classes.save_term(site, *_term_fields(form), viewer.user.username)
        return f"/web/classes/terms/{term.id}"

    return await action(request, change, ERROR)


def _term_fields(form) -> tuple[str, date, date]:
    start = base.day(form, "start", "开始日期")
    end = base.day(form, "end", "结束日期")
    assert start is not None and end is not None  # no default: day() refuses an empty one
    return base.text(form, "name", "学期名称", max_length=60), start, end


@router.get("/classes/terms/{term_id}")
def term_page(request: Request, term_id: int) -> Response:
    def figures(viewer: Viewer) -> dict:
        term = term_of(viewer, term_id)
        courses = list(term.courses.where(Course.withdrawn_at.is_null()).order_by(Course.title))
        return {
            "term": term,
            "holidays": sorted(term.holidays, key=lambda h: h.day),
            "courses": [(c, classes.schedule_text(c), classes.enrolled_count(c)) for c in courses],
            "weekdays": classes.WEEKDAYS,
            "slots": range(SLOTS),
            "mine": viewer.owns(term.site),
        }

    return page(request, "classes_term.html", figures)


@router.post("/classes/terms/{term_id}")
async def edit_term(request: Request, term_id: int) -> Response:
    return await _on_term(
        request, term_id, lambda term, form, user: classes.save_term(term.site, *_term_fields(form), user, term)
    )


@router.post("/classes/terms/{term_id}/holidays")
async def add_holiday(request: Request, term_id: int) -> Response:
    def add(term: Term, form: FormData, user: str) -> None:
        name = base.text(form, "name", "假日名称", required=False, max_length=40)
        classes.add_holiday(term, _day(form, "day", "假日日期"), name, user)

    return await _on_term(request, term_id, add)


@router.post("/classes/terms/{term_id}/holidays/remove")
async def remove_holiday(request: Request, term_id: int) -> Response:
    return await _on_term(
        request, term_id, lambda term, form, user: classes.remove_holiday(term, _day(form, "day", "假日日期"), user)
    )


async def _on_term(request: Request, term_id: int, do: Callable[[Term, FormData, str], object]) -> Response:
    """A form that changes a term of the account's own: `do(term, form, username)` in one write,
    then back to the term's page."""

    def change(viewer: Viewer, form: FormData) -> str:
        term = _owned_term(viewer, term_id)
        with write(), refusing():
            do(term, form, _user(viewer))
        return f"/web/classes/terms/{term_id}"

    return await action(request, change, ERROR)


async def _on_course(request: Request, key: str, do: Callable[[Course, FormData, str], object]) -> Response:
    """A form that changes a course of the account's own: `do(course, form, username)` in one
    write, then back to the course's page."""

    def change(viewer: Viewer, form: FormData) -> str:
        course = _owned_course(viewer, key)
        with write(), refusing():
            do(course, form, _user(viewer))
        return f"/web/classes/courses/{key}"

    return await action(request, change, ERROR)


def _owned_term(viewer: Viewer, term_id: int) -> Term:
    term = term_of(viewer, term_id)
    if not viewer.owns(term.site):
        raise not_found()
    return term


def _user(viewer: Viewer) -> str:
    return viewer.user.username


@router.get("/classes/terms/{term_id}/timetable")
def timetable(request: Request, term_id: int) -> Response:
    def figures(viewer: Viewer) -> dict:
        term = term_of(viewer, term_id)
        courses = term.courses.where(Course.withdrawn_at.is_null())
        return {"term": term, "week": classes.timetable(courses), "weekdays": classes.WEEKDAYS}

    return page(request, "classes_timetable.html", figures)


@router.get("/classes/terms/{term_id}/timetable.xlsx")
def timetable_sheet(request: Request, term_id: int) -> Response:
    """The week grid as rows, a lesson each, in the grid's order (weekday, then start)."""

    def figures(viewer: Viewer) -> Response:
        term = term_of(viewer, term_id)
        week = classes.timetable(term.courses.where(Course.withdrawn_at.is_null()))
        rows = [
            (classes.WEEKDAYS[n], cell.start, cell.end, cell.course.title, cell.course.room, cell.course.teacher)
            for n, lessons in week.items()
            for cell in lessons
        ]
        header = ("星期", "上课", "下课", "课程", "教室", "教师")
        return base.xlsx(base.dated(f"{term.site.name}-{term.name}-课程表"), Sheet("课程表", header, rows))

    return page(request, ERROR, figures)  # type: ignore[arg-type]


@router.get("/classes/terms/{term_id}/courses.xlsx")
def course_list(request: Request, term_id: int) -> Response:
    def figures(viewer: Viewer) -> Response:
        term = term_of(viewer, term_id)
        rows = [
            (
                c.title,
                "" if c.category == "lesson" else c.category,
                c.teacher,
                c.room,
                c.capacity,
                classes.schedule_text(c),
                classes.enrolled_count(c),
            )
            for c in term.courses.where(Course.withdrawn_at.is_null()).order_by(Course.title)
        ]
        header = ("课程名称", "类别", "教师", "教室", "人数上限", "每周上课时间", "已报名")
        return base.xlsx(f"{term.site.name}-{term.name}-课程.xlsx", Sheet("课程", header, rows))

    return page(request, ERROR, figures)  # type: ignore[arg-type]


# --- courses ------------------------------------------------------------------------------------------


@router.post("/classes/terms/{term_id}/courses")
async def create_course(request: Request, term_id: int) -> Response:
    def change(viewer: Viewer, form) -> str:
        term = _owned_term(viewer, term_id)
        with write(), refusing():
            course = classes.save_course(term.site, term, _course_fields(form), _user(viewer))
        return f"/web/classes/courses/{course.key}"

    return await action(request, change, ERROR)


@router.post("/classes/courses/{key}")
async def edit_course(request: Request, key: str) -> Response:
    return await _on_course(
        request,
        key,
        lambda course, form, user: classes.save_course(course.site, course.term, _course_fields(form), user, course),
    )


@router.post("/classes/courses/{key}/withdraw")
async def withdraw_course(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form) -> str:
        course = _owned_course(viewer, key)
        with write():
            classes.withdraw_course(course, _user(viewer), now())
        return f"/web/classes/terms/{course.term_id}"

    return await action(request, change, ERROR)


def _course_fields(form) -> classes.CourseFields:
    slots = []
    for i in range(SLOTS):
        weekday, start, end = (str(form.get(f"{f}{i}", "")).strip() for f in ("weekday", "start", "end"))
        if weekday and (start or end):
            if not weekday.isdigit():
                raise BadQuery("请选择星期几。")
            with refusing():
                slots.append(classes.checked_slot(int(weekday), start, end))
    capacity = base.integer(form, "capacity", "人数上限", default=0, high=10000)
    return classes.CourseFields(
        title=base.text(form, "title", "课程名称", max_length=60),
        category=base.text(form, "category", "类别", required=False, max_length=32) or "lesson",
        teacher=base.text(form, "teacher", "教师", required=False, max_length=40),
        room=base.text(form, "room", "教室", required=False, max_length=40),
        capacity=capacity or 0,
        schedule=tuple(slots),
    )


def _owned_course(viewer: Viewer, key: str) -> Course:
    course = course_of(viewer, key)
    if not viewer.owns(course.site):
        raise not_found()
    return course


@router.get("/classes/courses/{key}")
def course_page(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        course = course_of(viewer, key)
        query = request.query_params.get("q", "").strip()
        scoped = viewer.scope(Member.select(), Member.site).where(Member.active)
        today = date.today()
        return {
            "course": course,
            "schedule": classes.schedule(course),
            "weekdays": classes.WEEKDAYS,
            "slots": range(SLOTS),
            "lessons": classes.lessons(course, today - timedelta(days=7), today + timedelta(days=28)),
            "roster": classes.roster(course),
            "enrolled": classes.enrolled_count(course),
            "statuses": classes.STATUSES,
            "actions": classes.ACTIONS,
            "q": query,
            "found": members.search(scoped, query, 20) if query else [],
            "mine": viewer.owns(course.site),
            "now": now(),
        }

    return page(request, "classes_course.html", figures)


# --- lesson changes --------------------------------------------------------------------------------------


@router.post("/classes/courses/{key}/cancel")
async def cancel_lesson(request: Request, key: str) -> Response:
    def cancel(course: Course, form: FormData, user: str) -> None:
        reason = base.text(form, "reason", "停课原因", max_length=REASON_MAX)
        classes.cancel_lesson(course, _day(form, "day", "上课日期"), reason, user, now())

    return await _on_course(request, key, cancel)


@router.post("/classes/courses/{key}/move")
async def move_lesson(request: Request, key: str) -> Response:
    def move(course: Course, form: FormData, user: str) -> None:
        day = _day(form, "day", "上课日期")
        start, end = base.moment(form, "start", "调至开始时间"), base.moment(form, "end", "调至结束时间")
        room = base.text(form, "room", "教室", required=False, max_length=40)
        reason = base.text(form, "reason", "调课原因", max_length=REASON_MAX)
        classes.move_lesson(course, day, start, end, room, reason, user, now())

    return await _on_course(request, key, move)


@router.post("/classes/courses/{key}/undo")
async def undo_change(request: Request, key: str) -> Response:
    def undo(course: Course, form: FormData, user: str) -> None:
        found = course.changes.where(LessonChange.day == _day(form, "day", "上课日期")).first()
        if found is None:
            raise BadQuery("这节课没有停课或调课，无需撤销。")
        classes.undo_change(found, user, now())

    return await _on_course(request, key, undo)


def _day(form: FormData, name: str, label: str) -> date:
    found = base.day(form, name, label)
    assert found is not None  # no default: day() refuses an empty one
    return found


# --- the roster ----------------------------------------------------------------------------------------


@router.post("/classes/courses/{key}/enroll")
async def enroll(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        course = _owned_course(viewer, key)
        member = member_of(viewer, base.text(form, "member_no", "学号", max_length=32))
        with write(), refusing():
            classes.enroll(course, member, _user(viewer), now())
        return f"/web/classes/courses/{key}"

    return await action(request, change, ERROR)


@router.post("/classes/courses/{key}/drop")
async def drop(request: Request, key: str) -> Response:
    return await _on_course(
        request, key, lambda course, form, user: classes.drop(course, base.text(form, "member_no", "学号"), user)
    )


@router.post("/classes/courses/{key}/promote")
async def promote(request: Request, key: str) -> Response:
    return await _on_course(request, key, lambda course, form, user: classes.promote(course, user))


@router.get("/classes/courses/{key}/roster.xlsx")
def roster_sheet(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> Response:
        course = course_of(viewer, key)
        rows = [
            (
                p.enrollment.member_no,
                p.member.name if p.member else "",
                p.member.gender if p.member else "",
                p.member.phone_last4 if p.member else "",
                classes.STATUSES[p.enrollment.status],
                p.enrollment.at.strftime("%Y-%m-%d %H:%M"),
            )
            for p in classes.roster(course)
        ]
        header = ("学号", "姓名", "性别", "电话后四位", "状态", "报名时间")
        return base.xlsx(f"{course.title}-名单.xlsx", Sheet("名单", header, rows))

    return page(request, ERROR, figures)  # type: ignore[arg-type]
