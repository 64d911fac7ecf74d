"""Recognition at term end (结业与表彰): who qualifies for 全勤 and 结业 in each course of a term, the
certificates as one PDF, and the 优秀学员 candidates.  The rules are bureau/recognition's
(docs/recognition.md).  Reached from a term's page of 班级课程.

    GET /web/recognition/terms/{id}?share=&day=        the term: its courses, the candidates
                                                       (?format=xlsx: the candidates' sheet)
    GET /web/recognition/terms/{id}/certificates.pdf?kind=full|graduation&share=&day=
    GET /web/recognition/courses/{key}?share=&day=     a course: each enrolled member's record
    GET /web/recognition/courses/{key}/certificates.pdf?kind=…

Only reading: every account that sees the term's site may look and download — its centre's
staff, the bureau's admins, and the bureau's read-only accounts too (they read everything; a PDF
is a reading of the attendance, nothing changes).  Another site's term or course is 404.
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bureau.console import base
from bureau.console.base import BadQuery, Viewer, page
from bureau.console.classes import course_of, now, term_of
from bureau.models import Course, Term
from bureau.recognition import certificates, rules
from contract.cells import Sheet

router = APIRouter(prefix="/web")
ERROR = "classes_error.html"
PDF = "application/pdf"


@dataclass(frozen=True)
class Choice:
    """What the page's form sets: the share of lessons 结业 takes, the date certificates carry."""

    percent: int | None  # None: rules.DEFAULT_SHARE (2/3)
    day: date

    @property
    def share(self) -> Fraction:
        return rules.DEFAULT_SHARE if self.percent is None else Fraction(self.percent, 100)

    @property
    def share_text(self) -> str:
        return "三分之二" if self.percent is None else f"{self.percent}%"

    def query(self, **more: str) -> str:
        """The choice as a query string for the page's links (the PDFs keep it)."""
        values = {**more, **({"share": str(self.percent)} if self.percent is not None else {}), "day": str(self.day)}
        return urlencode(values)


def choice(request: Request, term: Term) -> Choice:
    params = request.query_params
    percent = base.integer(params, "share", "结业出勤比例（%）", default=None, low=1, high=100)
    day = base.day(params, "day", "证书日期", default=min(date.today(), term.end))
    assert day is not None
    return Choice(percent, day)


def kind_of(request: Request) -> str:
    kind = request.query_params.get("kind", "")
    if kind not in rules.KINDS:
        raise BadQuery("请选择证书：全勤奖（kind=full）或结业证书（kind=graduation）。")
    return kind


@router.get("/recognition/terms/{term_id}")
def term_page(request: Request, term_id: int) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        term = term_of(viewer, term_id)
        chosen = choice(request, term)
        at = now()
        records = rules.term_records(term, at, chosen.share)
        found = rules.candidates(term, at, records)
        if base.wants_xlsx(request):
            return candidates_sheet(term, found)
        return {
            "term": term,
            "records": records,
            "candidates": found,
            "choice": chosen,
            "running": at.date() <= term.end,
            "full": sum(len(r.qualifying("full")) for r in records),
            "graduation": sum(len(r.qualifying("graduation")) for r in records),
        }

    return page(request, "recognition_term.html", figures)  # type: ignore[arg-type]


def candidates_sheet(term: Term, found: list[rules.Candidate]) -> Response:
    header = ("排名", "学号", "姓名", "课程数", "出勤（节）", "应出勤（节）", "出勤率", "志愿服务（小时）")
    rows = [(c.rank, c.member_no, c.name, c.courses, c.attended, c.held, c.percent, c.hours) for c in found]
    return base.xlsx(base.dated(f"{term.site.name}-{term.name}-优秀学员候选"), Sheet("优秀学员候选", header, rows))


@router.get("/recognition/terms/{term_id}/certificates.pdf")
def term_certificates(request: Request, term_id: int) -> Response:
    def figures(viewer: Viewer) -> Response:
        term = term_of(viewer, term_id)
        kind, chosen = kind_of(request), choice(request, term)
        records = rules.term_records(term, now(), chosen.share)
        return _pdf(records, kind, term, chosen, f"{term.site.name}-{term.name}")

    return page(request, ERROR, figures)  # type: ignore[arg-type]


@router.get("/recognition/courses/{key}")
def course_page(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        course = _course(viewer, key)
        chosen = choice(request, course.term)
        at = now()
        return {
            "course": course,
            "term": course.term,
            "record": rules.course_record(course, at, chosen.share),
            "choice": chosen,
            "running": at.date() <= course.term.end,
        }

    return page(request, "recognition_course.html", figures)


@router.get("/recognition/courses/{key}/certificates.pdf")
def course_certificates(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> Response:
        course = _course(viewer, key)
        kind, chosen = kind_of(request), choice(request, course.term)
        record = rules.course_record(course, now(), chosen.share)
        return _pdf([record], kind, course.term, chosen, f"{course.term.name}-{course.title}")

    return page(request, ERROR, figures)  # type: ignore[arg-type]


def _course(viewer: Viewer, key: str) -> Course:
    course = course_of(viewer, key)
    if course.withdrawn_at is not None:
        raise base.not_found("这门课程已撤下。")
    return course


def _pdf(records: list[rules.CourseRecord], kind: str, term: Term, chosen: Choice, name: str) -> Response:
    found = certificates.of_records(records, kind, term.site.name, chosen.day)
    filename = f"{name}-{rules.KINDS[kind]}.pdf"
    return Response(
        certificates.render(found),
        media_type=PDF,
        headers={**base.HEADERS, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
