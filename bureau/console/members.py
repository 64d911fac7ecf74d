"""Members (学员): search by pinyin initials, name, member number or the phone's last 4 digits, and
a member's record: sign-ins, courses, activity signups and passbook.  A center's staff find and
open only their own site's members; another's by URL is not found.  Both pages download as .xlsx
(&format=xlsx): the search's rows, and the record with a sheet per table.

    GET /web/members?q=&site=[&format=xlsx]     the search
    GET /web/members/{member_no}[?format=xlsx]  the record
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bureau.care import situation
from bureau.console.base import Viewer, dated, not_found, page, wants_xlsx, xlsx
from bureau.models import Member
from bureau.programme import classes, members
from bureau.programme.activities import SIGNUP_STATUS
from contract.cells import Sheet

router = APIRouter(prefix="/web")
METHODS = {"qr": "二维码", "idcard": "身份证", "staff": "工作人员代签"}


@router.get("/members")
def search(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        query = request.query_params.get("q", "").strip()[:32]
        site = viewer.site_or_all(request.query_params.get("site"))
        scoped = Member.select().where(Member.site == site) if site else viewer.scope(Member.select(), Member.site)
        found = members.search(scoped, query) if query else []
        if wants_xlsx(request):
            return search_xlsx(found)
        return {"q": query, "site": site, "sites": list(viewer.sites()), "found": found, "limit": members.LIMIT}

    return page(request, "members_search.html", figures)


def search_xlsx(found: list[Member]) -> Response:
    rows = [(m.member_no, m.name, m.initials, m.gender, m.phone_last4, m.site.name, m.balance) for m in found]
    columns = ("学号", "姓名", "拼音首字母", "性别", "电话后四位", "站点", "积分")
    return xlsx(dated("学员查找结果"), Sheet("学员", columns, rows))


@router.get("/members/{member_no}")
def record(request: Request, member_no: str) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        member = viewer.scope(Member.select(), Member.site).where(Member.member_no == member_no).first()
        if member is None:
            raise not_found(f"没有学号 {member_no} 的学员，或您无权查看。")
        found, courses = members.record(member), classes.courses_of(member.member_no)
        if wants_xlsx(request):
            return record_xlsx(member, found, courses)
        return {
            "member": member,
            "record": found,
            "courses": courses,
            "statuses": classes.STATUSES,
            "methods": METHODS,
            "signup_statuses": SIGNUP_STATUS,
            "may_care": situation.may_see(viewer.user, member),  # the care record: sensitive
        }

    return page(request, "members_record.html", figures)


def record_xlsx(member: Member, found: members.Record, courses: list[classes.Place]) -> Response:
    """The record's four tables, a sheet each, as the page shows them."""
    places = [(p.enrollment.course, p.enrollment) for p in courses]
    return xlsx(
        dated(f"学员记录-{member.member_no}"),
        Sheet(
            "课程",
            ("课程", "学期", "状态", "时间"),
            [(c.title, c.term.name, classes.STATUSES[e.status], f"{e.at:%Y-%m-%d %H:%M}") for c, e in places],
        ),
        Sheet(
            "签到记录",
            ("签到时间", "课程/活动", "开始", "方式"),
            [
                (f"{a.at:%Y-%m-%d %H:%M}", a.title, f"{a.start:%Y-%m-%d %H:%M}", METHODS.get(a.method, a.method))
                for a in found.attendance
            ],
        ),
        Sheet(
            "活动报名",
            ("活动", "开始", "状态"),
            [(s.title, f"{s.start:%Y-%m-%d %H:%M}", SIGNUP_STATUS.get(s.status, s.status)) for s in found.signups],
        ),
        Sheet(
            "积分存折",
            ("日期", "事项", "积分", "余额", "备注"),
            [(e.business_day, e.kind, e.amount, e.balance_after, e.note) for e in found.passbook],
        ),
    )
