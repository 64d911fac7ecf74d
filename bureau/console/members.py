"""Members (学员): search by pinyin initials, name, member number or the phone's last 4 digits, and
a member's record: sign-ins, courses, activity signups and passbook.  A center's staff find and
open only their own site's members; another's by URL is not found.

    GET /web/members?q=&site=     the search
    GET /web/members/{member_no}  the record
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bureau.console.base import Viewer, not_found, page
from bureau.models import Member
from bureau.programme import classes, members

router = APIRouter(prefix="/web")


@router.get("/members")
def search(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        query = request.query_params.get("q", "").strip()[:32]
        site = viewer.site_or_all(request.query_params.get("site"))
        scoped = Member.select().where(Member.site == site) if site else viewer.scope(Member.select(), Member.site)
        return {
            "q": query,
            "site": site,
            "sites": list(viewer.sites()),
            "found": members.search(scoped, query) if query else [],
            "limit": members.LIMIT,
        }

    return page(request, "members_search.html", figures)


@router.get("/members/{member_no}")
def record(request: Request, member_no: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        member = viewer.scope(Member.select(), Member.site).where(Member.member_no == member_no).first()
        if member is None:
            raise not_found(f"没有学号 {member_no} 的学员，或您无权查看。")
        return {
            "member": member,
            "record": members.record(member),
            "courses": classes.courses_of(member.member_no),
            "statuses": classes.STATUSES,
        }

    return page(request, "members_record.html", figures)
