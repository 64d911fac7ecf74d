"""报名摇号: enrolment seasons, the desk's applications, the public draw and its verification
(docs/enrolment.md).  The rules are bureau/enrolment's.

    GET  /web/enrolment?site=                 the seasons of the sites the account sees; open one
    GET  /web/enrolment/verify?season=&numbers=   验证摇号: re-run a drawn season (anyone signed in)
    GET  /web/enrolment/{key}?q=              a season: its courses, places, ages, applicants, the desk
    POST /web/enrolment/{key}                 its dates and rules   …/offer, …/take-back, …/withdraw
    POST /web/enrolment/{key}/apply           the desk applies for a senior   …/unapply withdraws one
    GET  /web/enrolment/{key}/draw            the draw's published inputs; POST …/freeze, …/draw
    GET  /web/enrolment/{key}/applicants.csv  the fixed list     …/places.csv  each course's places
    GET  /web/enrolment/{key}/results?course= a course's result list, printable (?format=xlsx)

A season of a site the account does not see answers 404, by URL or by form.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bureau.console import base
from bureau.console.base import BadQuery, Viewer, action, not_found, page, saved
from bureau.console.classes import member_of, now
from bureau.enrolment import applications, lottery, results, seasons
from bureau.enrolment.lottery import DrawError
from bureau.enrolment.seasons import SeasonError
from bureau.models import Course, Member, Season, Site, Term
from bureau.programme import members
from contract.cells import Sheet

router = APIRouter(prefix="/web")
ERROR = "message.html"
CSV = "text/csv; charset=utf-8"
REFUSALS = (SeasonError, DrawError)


def season_of(viewer: Viewer, key: str) -> Season:
    season = Season.get_or_none(Season.key == key)
    if season is None or not viewer.sees(season.site):
        raise not_found("没有这个报名季，或您无权查看。")
    return season


def _owned(viewer: Viewer, key: str) -> Season:
    season = season_of(viewer, key)
    if not viewer.owns(season.site):
        raise not_found()
    return season


def _course(season: Season, key: str) -> Course:
    course = Course.get_or_none(Course.key == key.strip(), Course.term == season.term_id)
    if course is None:
        raise not_found("这个报名季的学期没有这门课程。")
    return course


def _fields(form: FormData) -> seasons.Fields:
    return seasons.Fields(
        base.text(form, "title", "报名季名称", max_length=60),
        base.moment(form, "opens", "开始报名"),
        base.moment(form, "closes", "截止报名"),
        base.moment(form, "draw_at", "摇号时间"),
        base.integer(form, "max_courses", "每人限报门数", 2, 1, 20) or 2,
        base.checkbox(form, "members_only"),
        base.checkbox(form, "returning_first"),
        base.integer(form, "older_first", "按年龄优先", None, *seasons.OLDER_FIRST),
    )


def _age(form: FormData, name: str, label: str) -> int | None:
    return base.integer(form, name, label, None, 0, seasons.AGE_MAX)


# --- seasons ---------------------------------------------------------------------------------------------


@router.get("/enrolment")
def season_list(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        site = viewer.site_or_all(request.query_params.get("site"))
        query = Season.select(Season, Site, Term).join(Site).switch(Season).join(Term).order_by(Season.opens.desc())
        query = query.where(Season.site == site) if site else viewer.scope(query, Season.site)
        terms = Term.select(Term, Site).join(Site).where(Term.end >= now().date()).order_by(Term.start, Site.code)
        mine = [t for t in terms if viewer.owns(t.site)]
        moment = now()
        return {
            "seasons": [(s, seasons.STATES[seasons.state(s, moment)]) for s in query],
            "terms": mine,
            "site": site,
            "sites": list(viewer.sites()),
        }

    return page(request, "enrolment_list.html", figures)


@router.post("/enrolment")
async def open_season(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        term = Term.get_or_none(Term.id == (base.integer(form, "term", "学期", 0, 0, 2**31) or 0))
        if term is None or not viewer.owns(term.site):
            raise not_found("没有这个学期，或您无权修改。")
        fields = _fields(form)
        season = saved(lambda: seasons.open_season(term.site, term, fields, viewer.user.username, now()), *REFUSALS)
        return f"/web/enrolment/{season.key}"

    return await action(request, change, ERROR)


@router.get("/enrolment/verify")
def verify_page(request: Request) -> Response:
    """验证摇号: the season's draw re-run from its published list and the numbers given (the
    published ones by default), compared with the result filed."""

    def figures(viewer: Viewer) -> dict:
        key = request.query_params.get("season", "")
        moment = now()
        drawn = [
            s
            for s in viewer.scope(Season.select(Season, Site).join(Site), Season.site).order_by(Season.drawn_at.desc())
            if s.drawn_at is not None
        ]
        context: dict = {"drawn": drawn, "season": None, "numbers": request.query_params.get("numbers", "")}
        if key:
            season = season_of(viewer, key)
            numbers = context["numbers"] or None
            try:
                found = results.verify(season, numbers)
            except REFUSALS as e:
                raise BadQuery(str(e)) from None
            titles = {c.key: c.title for c in Course.select().where(Course.term == season.term_id)}
            context.update(season=season, found=found, titles=titles, state=seasons.state(season, moment))
        return context

    return page(request, "enrolment_verify.html", figures)


@router.get("/enrolment/{key}")
def season_page(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        season = season_of(viewer, key)
        moment = now()
        mine = viewer.owns(season.site)
        q = request.query_params.get("q", "").strip()[:32]
        offered = {o.course.id for o in seasons.offers(season)}
        found = members.search(viewer.scope(Member.select(), Member.site), q) if q and mine else []
        return {
            "season": season,
            "state": seasons.state(season, moment),
            "states": seasons.STATES,
            "lines": applications.lines(season),
            "others": [
                c
                for c in Course.select().where(Course.term == season.term_id, Course.withdrawn_at.is_null())
                if c.id not in offered
            ],
            "applicants": applications.applicants(season),
            "statuses": applications.STATUSES,
            "age_text": seasons.age_text,
            "groups": results.groups(season),
            "mine": mine,
            "q": q,
            "found": found,
        }

    return page(request, "enrolment_season.html", figures)


async def _on_season(request: Request, key: str, do, to: str = "") -> Response:
    """A form that changes a season of the account's own: `do(season, form, username)` in one write."""

    def change(viewer: Viewer, form: FormData) -> str:
        season = _owned(viewer, key)
        saved(lambda: do(season, form, viewer.user.username), *REFUSALS)
        return f"/web/enrolment/{key}{to}"

    return await action(request, change, ERROR)


@router.post("/enrolment/{key}")
async def edit_season(request: Request, key: str) -> Response:
    return await _on_season(request, key, lambda s, form, user: seasons.edit(s, _fields(form), user, now()))


@router.post("/enrolment/{key}/offer")
async def offer(request: Request, key: str) -> Response:
    def do(season: Season, form: FormData, user: str) -> None:
        course = _course(season, base.text(form, "course", "课程", max_length=64))
        capacity = base.integer(form, "capacity", "名额", 0, 0, 100_000) or 0
        ages = _age(form, "age_min", "最小年龄"), _age(form, "age_max", "最大年龄")
        seasons.offer(season, course, capacity, *ages, user, now())

    return await _on_season(request, key, do)


@router.post("/enrolment/{key}/take-back")
async def take_back(request: Request, key: str) -> Response:
    return await _on_season(
        request,
        key,
        lambda s, form, user: seasons.take_back(s, _course(s, base.text(form, "course", "课程")), user, now()),
    )


@router.post("/enrolment/{key}/withdraw")
async def withdraw(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        season = _owned(viewer, key)
        reason = base.text(form, "reason", "撤销原因", max_length=200)
        saved(lambda: seasons.withdraw(season, viewer.user.username, reason, now()), *REFUSALS)
        return "/web/enrolment"

    return await action(request, change, ERROR)


@router.post("/enrolment/{key}/apply")
async def apply(request: Request, key: str) -> Response:
    """The desk: staff apply for a senior (the ID card's birth date for an age-limited course; a
    reason when the senior is not here themselves)."""

    def change(viewer: Viewer, form: FormData) -> str:
        season = _owned(viewer, key)
        course = _course(season, base.text(form, "course", "课程", max_length=64))
        member = member_of(viewer, base.text(form, "member_no", "学号", max_length=32))
        birth = base.day(form, "birth", "出生日期", None) if str(form.get("birth", "")).strip() else None
        absent = base.checkbox(form, "absent")
        reason = base.text(form, "reason", "代办原因", required=absent, max_length=200) if absent else ""
        who = viewer.user.username
        saved(lambda: applications.apply(season, course, member, who, now(), birth, reason), *REFUSALS)
        return f"/web/enrolment/{key}"

    return await action(request, change, ERROR)


@router.post("/enrolment/{key}/unapply")
async def unapply(request: Request, key: str) -> Response:
    def do(season: Season, form: FormData, user: str) -> None:
        course = _course(season, base.text(form, "course", "课程", max_length=64))
        number = base.text(form, "member_no", "学号", max_length=32)
        applications.withdraw(season, course, number, user, now())

    return await _on_season(request, key, do)


# --- the draw --------------------------------------------------------------------------------------------


@router.get("/enrolment/{key}/draw")
def draw_page(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        season = season_of(viewer, key)
        offers = seasons.offers(season)
        places = results.places(season)
        entries = results.entries(season, ("applied",) if season.drawn_at is None else ("won", "waitlisted"))
        counts: dict[str, int] = {}
        for e in entries:
            counts[e.course] = counts.get(e.course, 0) + 1
        return {
            "season": season,
            "state": seasons.state(season, now()),
            "states": seasons.STATES,
            "offers": offers,
            "places": places,
            "counts": counts,
            "groups": results.groups(season),
            "mine": viewer.owns(season.site),
        }

    return page(request, "enrolment_draw.html", figures)


@router.post("/enrolment/{key}/freeze")
async def freeze(request: Request, key: str) -> Response:
    return await _on_season(request, key, lambda s, form, user: results.freeze(s, user, now()), "/draw")


@router.post("/enrolment/{key}/draw")
async def draw(request: Request, key: str) -> Response:
    return await _on_season(
        request, key, lambda s, form, user: results.draw(s, str(form.get("numbers", "")), user, now()), "/draw"
    )


def _published(request: Request, key: str, body) -> Response:
    """A published input as a CSV download (once the list is fixed)."""

    def figures(viewer: Viewer) -> Response:
        season = season_of(viewer, key)
        if not season.applicants_hash:
            raise not_found("报名名单还没有公布。")
        return Response(body(season), media_type=CSV, headers={**base.HEADERS, "Content-Disposition": "attachment"})

    return page(request, ERROR, figures)  # type: ignore[arg-type]


@router.get("/enrolment/{key}/applicants.csv")
def applicants_csv(request: Request, key: str) -> Response:
    statuses = ("applied", "won", "waitlisted")
    return _published(request, key, lambda s: lottery.applicants_csv(results.entries(s, statuses)))


@router.get("/enrolment/{key}/places.csv")
def places_csv(request: Request, key: str) -> Response:
    return _published(request, key, lambda s: lottery.places_csv(results.places(s)))


@router.get("/enrolment/{key}/results")
def result_list(request: Request, key: str) -> Response:
    """A course's result list for the notice board: rank, masked name, member number, result."""

    def figures(viewer: Viewer) -> dict | Response:
        season = season_of(viewer, key)
        offers = seasons.offers(season)
        wanted = request.query_params.get("course") or (offers[0].course.key if offers else "")
        course = next((o.course for o in offers if o.course.key == wanted), None)
        if course is None:
            raise not_found("这个报名季没有这门课程。")
        groups = results.groups(season)
        stated = len(groups) > 1  # an applicant's group, where the season has priority groups
        rows = [
            (
                a.application.rank,
                results.mask(a.member.name if a.member else ""),
                a.application.member_no,
                groups.get(a.application.priority, "") if stated and a.application.status != "refused" else "",
                applications.STATUSES[a.application.status],
                a.application.refusal,
            )
            for a in applications.applicants(season, course)
            if a.application.status in ("won", "waitlisted", "refused")
        ]
        if base.wants_xlsx(request):
            header = ("名次", "姓名", "学号", "优先组", "结果", "说明")
            return base.xlsx(base.dated(f"{season.title}-{course.title}-摇号结果"), Sheet("摇号结果", header, rows))
        return {
            "season": season,
            "course": course,
            "offers": offers,
            "rows": rows,
            "drawn": season.drawn_at,
            "groups": groups,
        }

    return page(request, "enrolment_results.html", figures)  # type: ignore[arg-type]
