"""关怀档案: a member's care record (their situation and the visit log) and 「我联系的老同志」, the
members a signed-in account is the contact person of (docs/care.md).

Sensitive: only the member's own site's staff and the bureau's admins open a care record
(bureau.care.situation.may_see); anyone else, a read-only account too, is answered as if the member
did not exist.  The phone numbers show in full here, to be called.

    GET  /web/care/member/{member_no}                       the care record
    POST /web/care/member/{member_no}/situation             save the situation
    POST /web/care/member/{member_no}/visit                 record a visit or call
    POST /web/care/member/{member_no}/visit/{visit_id}/done its follow-up done
    GET  /web/care/mine                                     我联系的老同志
"""

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bureau.care import situation, visits
from bureau.care.situation import HARDSHIPS, RETIRED, CareError, Draft
from bureau.console import base
from bureau.console.base import BadQuery, Viewer, not_found
from bureau.models import Member, Situation
from bureau.store import write

router = APIRouter(prefix="/web")
T = TypeVar("T")


def cared_for(viewer: Viewer, member_no: str) -> Member:
    """The member of `member_no` if this account may see their care record, else not found (as if
    there were no such member)."""
    member = Member.get_or_none(Member.member_no == member_no)
    if member is None or not situation.may_see(viewer.user, member):
        raise not_found(f"没有学号 {member_no} 的学员，或您无权查看。")
    return member


@router.get("/care/member/{member_no}")
def record(request: Request, member_no: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        member = cared_for(viewer, member_no)
        found = situation.read(member.member_no)
        logged = visits.of_member(member.member_no)
        return {
            "member": member,
            "s": found,
            "d": situation.draft_of(found),
            "last_signin": visits.last_signins([member.member_no]).get(member.member_no),
            "contacts": situation.contacts(member),
            "visits": logged,
            "open": [v for v in logged if v.follow_up and v.follow_up_done is None],
            "retired": RETIRED,
            "hardships": HARDSHIPS,
            "kinds": visits.KINDS,
            "reasons": visits.REASONS,
            "today": date.today(),
            "visitor": viewer.user.full_name or viewer.user.username,
        }

    return base.page(request, "care_member.html", figures)


@router.post("/care/member/{member_no}/situation")
async def save_situation(request: Request, member_no: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        member = cared_for(viewer, member_no)
        draft = draft_from(form)
        saved(lambda: situation.save(member, draft, viewer.user.username, date.today()))
        return f"/web/care/member/{member.member_no}#situation"

    return await base.action(request, change)


@router.post("/care/member/{member_no}/visit")
async def record_visit(request: Request, member_no: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        member = cared_for(viewer, member_no)
        entry = visits.Entry(
            kind=str(form.get("kind", "")),
            day=base.day(form, "day", "走访日期"),  # type: ignore[arg-type]
            visitor=base.text(form, "visitor", "走访人", max_length=situation.NAME_MAX),
            reason=str(form.get("reason", "")),
            outcome=base.text(form, "outcome", "情况", required=False, max_length=visits.OUTCOME_MAX),
            follow_up=base.text(form, "follow_up", "后续跟进", required=False, max_length=visits.FOLLOW_UP_MAX),
        )
        saved(lambda: visits.record(member, entry, viewer.user.username, date.today()))
        return f"/web/care/member/{member.member_no}#visits"

    return await base.action(request, change)


@router.post("/care/member/{member_no}/visit/{visit_id}/done")
async def follow_up_done(request: Request, member_no: str, visit_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        member = cared_for(viewer, member_no)
        saved(lambda: visits.follow_up_done(member, visit_id, viewer.user.username, date.today()))
        return f"/web/care/member/{member.member_no}#visits"

    return await base.action(request, change)


@router.get("/care/mine")
def mine(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        query = (
            Member.select(Member, Situation)
            .join(Situation, on=(Situation.member_no == Member.member_no))
            .where(Situation.contact_user == viewer.user.id)
            .order_by(Member.site, Member.member_no)
        )
        members = [m for m in query if situation.may_see(viewer.user, m)]
        numbers = [m.member_no for m in members]
        signed, visited = visits.last_signins(numbers), visits.last_visit(numbers)
        rows = [
            (
                m,
                signed.get(m.member_no),
                visited.get(m.member_no),
                visits.came(signed.get(m.member_no), visited.get(m.member_no)),
            )
            for m in members
        ]
        return {"rows": rows}

    return base.page(request, "care_mine.html", figures)


def saved(change: Callable[[], T]) -> T:
    """`change` in one write transaction; the domain's refusal is the form's (400, its message)."""
    with write():
        try:
            return change()
        except CareError as e:
            raise BadQuery(str(e)) from None


def draft_from(form: FormData) -> Draft:
    return Draft(
        retired=str(form.get("retired", "")),
        party_member=base.checkbox(form, "party_member"),
        birth_date=_optional_day(form, "birth_date"),
        lives_alone=base.checkbox(form, "lives_alone"),
        hardship=tuple(dict.fromkeys(str(h) for h in form.getlist("hardship"))),
        phone=str(form.get("phone", "")),
        contact_user=str(form.get("contact_user", "")),
        contact_name=str(form.get("contact_name", "")),
        emergency_name=str(form.get("emergency_name", "")),
        emergency_relation=str(form.get("emergency_relation", "")),
        emergency_phone=str(form.get("emergency_phone", "")),
        plan=str(form.get("plan", "")),
        in_hospital_since=_optional_day(form, "in_hospital_since"),
        back_from_hospital=_optional_day(form, "back_from_hospital"),
    )


def _optional_day(form: FormData, name: str) -> date | None:
    if not str(form.get(name, "")).strip():
        return None
    return base.day(form, name, situation.LABELS[name])
