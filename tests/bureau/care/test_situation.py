"""bureau.care.situation: a form's values checked at their edges, saved on both stores, audited with
the names of the fields it changed and never their values; who may see a member's situation."""

import json
from datetime import date, datetime

import pytest

from bureau import admin
from bureau.care import situation
from bureau.care.situation import CareError, Draft
from bureau.models import AuditEntry, BureauUser, Member, Site, Situation
from bureau.store import write

from ..conftest import SITE

TODAY = date(2026, 11, 21)
# An unsaved member: the checks that read no accounts need no store.
LONE = Member(member_no="XC0001", name="王建华", site=Site(id=1, code=SITE))


def refused(draft: Draft) -> str:
    with pytest.raises(CareError) as e:
        situation.check(LONE, draft, TODAY)
    return str(e.value)


def test_a_birth_date_is_a_real_day_between_1900_and_today():
    assert situation.check(LONE, Draft(birth_date=date(1936, 2, 29)), TODAY).birth_date == date(1936, 2, 29)
    assert situation.check(LONE, Draft(birth_date=TODAY), TODAY).birth_date == TODAY
    assert situation.check(LONE, Draft(birth_date=date(1900, 1, 1)), TODAY).birth_date == date(1900, 1, 1)
    assert "不晚于今天" in refused(Draft(birth_date=date(2026, 11, 22)))
    assert "1900" in refused(Draft(birth_date=date(1899, 12, 31)))


@pytest.mark.parametrize(
    "phone", ["13812345678", "+86 138 1234 5678", "010-6512-3456", "6512345", "+8613812345678", "1" * 20]
)
def test_phones_as_staff_type_them(phone):
    assert situation.check(LONE, Draft(phone=f" {phone} ", emergency_phone=phone), TODAY).phone == phone


@pytest.mark.parametrize(
    "phone",
    [
        "651234",
        "1" * 21,
        "138-1234-567x",
        "(010) 65123456",
        "+",
        "--1234567",
        "86+13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_what_is_not_a_phone_number_is_refused(phone):
    assert "不像电话号码" in refused(Draft(phone=phone))
    assert "紧急联系人电话" in refused(Draft(emergency_phone=phone))


def test_retired_and_hardship_only_from_their_lists():
    assert situation.check(LONE, Draft(retired="离休", hardship=("空巢", "重病")), TODAY).retired == "离休"
    assert "离休、退休" in refused(Draft(retired="在职"))
    assert "没有「低保」这项困难情况" in refused(Draft(hardship=("重病", "低保")))


def test_names_and_the_plan_have_their_lengths():
    assert situation.check(LONE, Draft(contact_name="李" * 64, emergency_name="张" * 64), TODAY).contact_name
    assert "联系人姓名" in refused(Draft(contact_name="李" * 65))
    assert "紧急联系人" in refused(Draft(emergency_name="张" * 65))
    assert "与本人关系" in refused(Draft(emergency_relation="关" * 17))
    assert "一人一策" in refused(Draft(plan="策" * 1001))


def test_a_hospital_stay_is_one_or_the_other_and_never_in_the_future():
    # In hospital again after an earlier discharge: both, the admission later.
    again = Draft(in_hospital_since=date(2026, 11, 1), back_from_hospital=date(2026, 6, 30))
    assert situation.check(LONE, again, TODAY) == again
    assert "请清空「住院日期」" in refused(
        Draft(in_hospital_since=date(2026, 11, 1), back_from_hospital=date(2026, 11, 9))
    )
    assert "请清空「住院日期」" in refused(
        Draft(in_hospital_since=date(2026, 11, 1), back_from_hospital=date(2026, 11, 1))
    )
    assert "还没到" in refused(Draft(in_hospital_since=date(2026, 11, 22)))
    assert "还没到" in refused(Draft(back_from_hospital=date(2026, 11, 22)))


def account(username: str, role: str, site: Site | None) -> BureauUser:
    return BureauUser.create(username=username, password_hash="-", role=role, site=site, full_name=f"{username}同志")


@pytest.fixture
def people(store, kiosk):
    """A member of DEMO-001; its staff, another site's staff, an admin and a viewer."""
    other = admin.add_site("DEMO-002", "东城街道长者服务站")
    member = Member.create(member_no="XC0001", name="王建华", site=kiosk.site)
    return {
        "member": member,
        "staff": account("staffa", "staff", kiosk.site),
        "other": account("staffb", "staff", other),
        "admin": account("boss", "admin", None),
        "viewer": account("reader", "viewer", None),
    }


def test_only_the_members_site_staff_and_admins_see_a_situation(people):
    member = people["member"]
    assert [situation.may_see(people[k], member) for k in ("staff", "other", "admin", "viewer")] == [
        True,
        False,
        True,
        False,
    ]
    # A viewer bound to no site, a staff account somehow without one: never.
    assert not situation.may_see(BureauUser(role="staff", site=None), member)


def test_the_contact_person_is_the_sites_staff_or_an_admin(people):
    member = people["member"]
    assert [u.username for u in situation.contacts(member)] == ["staffa", "boss"]
    for username in ("staffa", "boss"):
        assert situation.check(member, Draft(contact_user=username), TODAY).contact_user == username
    for username in ("staffb", "reader", "nobody"):
        with pytest.raises(CareError, match="联系人应是"):
            situation.check(member, Draft(contact_user=username), TODAY)


def test_saved_and_audited_without_a_sensitive_value(people):
    member = people["member"]
    assert situation.read("XC0001") is None
    with write():
        assert situation.save(member, Draft(), "staffa", TODAY) is None  # nothing to record: nothing written
    assert not Situation.select().exists() and not AuditEntry.select().exists()
    draft = Draft(
        retired="离休",
        party_member=True,
        birth_date=date(1936, 2, 29),
        lives_alone=True,
        hardship=("空巢", "重病"),
        phone="13812345678",
        contact_user="staffa",
        emergency_name="王小明",
        emergency_relation="儿子",
        emergency_phone="13987654321",
        plan="每月电话问候，季度上门",
        in_hospital_since=date(2026, 11, 3),
    )
    with write():
        saved = situation.save(member, draft, "staffa", TODAY, datetime(2026, 11, 21, 2, 0))
    assert saved is not None
    found = situation.read("XC0001")
    assert (found.site.code, found.hardship, found.contact_user.username) == (SITE, "重病,空巢", "staffa")
    assert (found.updated_by, found.updated_at) == ("staffa", datetime(2026, 11, 21, 2, 0))
    assert situation.draft_of(found) == Draft(**{**draft.__dict__, "hardship": ("重病", "空巢")})

    with write():
        situation.save(member, situation.draft_of(found), "boss", TODAY)  # the same again: no entry
        back = Draft(**{**draft.__dict__, "in_hospital_since": None, "back_from_hospital": date(2026, 11, 20)})
        situation.save(member, back, "boss", TODAY)
    entries = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [(e.username, e.action, e.target, e.site.code) for e in entries] == [
        ("staffa", "care.situation", "XC0001", SITE),
        ("boss", "care.situation", "XC0001", SITE),
    ]
    assert json.loads(entries[1].detail) == {"changed": ["back_from_hospital", "in_hospital_since"]}
    first = json.loads(entries[0].detail)["changed"]
    assert "phone" in first and "hardship" in first and "birth_date" in first
    written = " ".join(e.detail + e.reason for e in entries)
    for value in ("1381234", "1398765", "重病", "空巢", "1936", "王小明", "儿子", "每月", "离休", "2026-11-03"):
        assert value not in written
    assert situation.read("XC0001").updated_by == "boss"
