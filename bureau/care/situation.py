"""A member's situation (Situation): what a center's care work needs to know of them: 离休/退休,
party member, birth date, living alone, hardship, the phone to call, the contact person (联系人), the
emergency contact, the plan (一人一策) and a hospital stay.

Sensitive (docs/care.md, docs/design.md §9): only the member's own site's staff and the bureau's
admins see or change it (`may_see`); a read-only account never sees a person's situation, only
counts.  It is never published to a kiosk and never carried by a fact.  Its audit entries name the
fields a change touched, never their values: the audit trail is readable by viewers.

`save` runs inside the caller's store.write() and audits itself.
"""

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from bureau import audit
from bureau.models import HARDSHIPS, RETIRED, BureauUser, Member, Situation
from bureau.store import utcnow

NAME_MAX, RELATION_MAX, PLAN_MAX, PHONE_MAX = 64, 16, 1000, 32
PHONE_DIGITS = (7, 20)
EARLIEST_BIRTH = date(1900, 1, 1)
_PHONE = re.compile(r"\+?[0-9][0-9 \-]*")
# The form's labels of the fields, for the staff's messages.
LABELS = {
    "retired": "离休/退休",
    "party_member": "党员",
    "birth_date": "出生日期",
    "lives_alone": "独居",
    "hardship": "困难情况",
    "phone": "本人电话",
    "contact_user": "联系人（工作人员）",
    "contact_name": "联系人姓名",
    "emergency_name": "紧急联系人",
    "emergency_relation": "与本人关系",
    "emergency_phone": "紧急联系人电话",
    "plan": "一人一策",
    "in_hospital_since": "住院日期",
    "back_from_hospital": "出院日期",
}


class CareError(ValueError):
    """A situation or visit that cannot be saved (the message says why, in Chinese, for staff)."""


@dataclass(frozen=True)
class Draft:
    """What the form says of a member's situation, before it is checked and saved.  contact_user
    is the username of the account that is the contact person ("" none)."""

    retired: str = ""
    party_member: bool = False
    birth_date: date | None = None
    lives_alone: bool = False
    hardship: tuple[str, ...] = ()
    phone: str = ""
    contact_user: str = ""
    contact_name: str = ""
    emergency_name: str = ""
    emergency_relation: str = ""
    emergency_phone: str = ""
    plan: str = ""
    in_hospital_since: date | None = None
    back_from_hospital: date | None = None


def may_see(user: BureauUser, member: Member) -> bool:
    """Whether `user` may see and change `member`'s situation and visits: the bureau's admins and the
    staff of the member's own site.  Everyone else is answered as if the member did not exist."""
    if user.role == "admin":
        return True
    return user.role == "staff" and user.site_id is not None and user.site_id == member.site_id


def read(member_no: str) -> Situation | None:
    """The member's situation, or None when nothing is recorded."""
    return Situation.get_or_none(Situation.member_no == member_no)


def draft_of(found: Situation | None) -> Draft:
    """The saved situation as the form shows it (an empty draft when nothing is recorded)."""
    if found is None:
        return Draft()
    return Draft(
        retired=found.retired,
        party_member=found.party_member,
        birth_date=found.birth_date,
        lives_alone=found.lives_alone,
        hardship=hardships(found),
        phone=found.phone,
        contact_user=found.contact_user.username if found.contact_user_id else "",
        contact_name=found.contact_name,
        emergency_name=found.emergency_name,
        emergency_relation=found.emergency_relation,
        emergency_phone=found.emergency_phone,
        plan=found.plan,
        in_hospital_since=found.in_hospital_since,
        back_from_hospital=found.back_from_hospital,
    )


def hardships(found: Situation) -> tuple[str, ...]:
    return tuple(h for h in found.hardship.split(",") if h)


def contacts(member: Member) -> list[BureauUser]:
    """The accounts that may be a member's contact person: their site's staff, and the admins."""
    allowed = ((BureauUser.role == "staff") & (BureauUser.site == member.site_id)) | (BureauUser.role == "admin")
    query = BureauUser.select().where(allowed & (BureauUser.disabled == False))  # noqa: E712
    return list(query.order_by(BureauUser.role.desc(), BureauUser.username))


def check(member: Member, draft: Draft, today: date) -> Draft:
    """The draft with its text trimmed, or CareError saying what is wrong."""
    text = {
        name: getattr(draft, name).strip()
        for name in ("phone", "contact_name", "emergency_name", "emergency_relation", "emergency_phone", "plan")
    }
    draft = replace(draft, **text)
    if draft.retired not in ("", *RETIRED):
        raise CareError(f"「{LABELS['retired']}」只能是{'、'.join(RETIRED)}或不填。")
    unknown = [h for h in draft.hardship if h not in HARDSHIPS]
    if unknown:
        raise CareError(f"没有「{unknown[0]}」这项困难情况：可选{'、'.join(HARDSHIPS)}。")
    draft = replace(draft, hardship=tuple(h for h in HARDSHIPS if h in draft.hardship))  # in the list's order
    for name in ("phone", "emergency_phone"):
        check_phone(getattr(draft, name), LABELS[name])
    for name in ("contact_name", "emergency_name"):
        if len(getattr(draft, name)) > NAME_MAX:
            raise CareError(f"「{LABELS[name]}」太长了：最多 {NAME_MAX} 个字。")
    if len(draft.emergency_relation) > RELATION_MAX:
        raise CareError(f"「{LABELS['emergency_relation']}」太长了：最多 {RELATION_MAX} 个字。")
    if len(draft.plan) > PLAN_MAX:
        raise CareError(f"「{LABELS['plan']}」太长了：最多 {PLAN_MAX} 个字。")
    if draft.birth_date is not None and not EARLIEST_BIRTH <= draft.birth_date <= today:
        raise CareError(f"出生日期 {draft.birth_date} 不对：应在 1900 年以后，且不晚于今天。")
    for name in ("in_hospital_since", "back_from_hospital"):
        day = getattr(draft, name)
        if day is not None and day > today:
            raise CareError(f"「{LABELS[name]}」{day} 还没到：请填已经发生的日期。")
    since, back = draft.in_hospital_since, draft.back_from_hospital
    if since is not None and back is not None and back >= since:
        # Both at once: in hospital since a day after the last discharge (admitted again), or a
        # stay that has ended, which is recorded by clearing the admission.
        raise CareError(f"出院日期 {back} 不早于住院日期 {since}：已经出院的，请清空「住院日期」。")
    if draft.contact_user and contact_account(member, draft.contact_user) is None:
        raise CareError("联系人应是本站点的工作人员账号或市局管理员账号。")
    return draft


def check_phone(phone: str, label: str) -> None:
    """A phone number as staff type it: digits with an optional leading + and spaces or hyphens
    between them, 7 to 20 digits ("" is none)."""
    if not phone:
        return
    digits = sum(c.isdigit() for c in phone)
    if len(phone) > PHONE_MAX or not _PHONE.fullmatch(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise CareError(f"「{label}」{phone} 不像电话号码：应为 7 到 20 位数字，可带 +、空格或 -。")


def contact_account(member: Member, username: str) -> BureauUser | None:
    return next((u for u in contacts(member) if u.username == username), None)


def save(member: Member, draft: Draft, username: str, today: date, now: datetime | None = None) -> Situation | None:
    """The member's situation as `draft` says (made on first save), audited with the names of the
    fields it changed.  Nothing changed: nothing written (None: still nothing recorded)."""
    draft = check(member, draft, today)
    found = read(member.member_no)
    before = draft_of(found)
    changed = sorted(f.name for f in fields(Draft) if getattr(before, f.name) != getattr(draft, f.name))
    if not changed:
        return found
    values = {f.name: getattr(draft, f.name) for f in fields(Draft)}
    values["hardship"] = ",".join(draft.hardship)
    values["contact_user"] = contact_account(member, draft.contact_user) if draft.contact_user else None
    values.update(site=member.site_id, updated_by=username, updated_at=now or utcnow())
    if found is None:
        found = Situation.create(member_no=member.member_no, **values)
    else:
        Situation.update(**values).where(Situation.id == found.id).execute()
        found = Situation.get_by_id(found.id)
    # The names of the fields only: the values (health, phones, hardship) are not the audit trail's.
    audit.record(username, "care.situation", member.member_no, member.site, {"changed": changed})
    return found
