"""Party branches, volunteer teams and clubs pulled on the items stream (kiosk.sync.apply._org):
upserted by the bureau's key with the whole roster replacing the old, removed when dissolved (its
activities no longer its), and an activity's organisation; nothing kept but kind, name, numbers."""

from kiosk.store.db import db
from kiosk.store.models import Activity, Organisation, OrgMember, Pulled
from tests.kiosk.sync.test_apply import activity, delete, here, pull, put  # noqa: F401  (here: the fixture)


def org(key: str = "b1", **fields) -> dict:
    return {
        "kind": "org",
        "key": key,
        "type": "branch",
        "name": "第一党支部",
        "members": ["DM0002", "DM0001"],
        **fields,
    }


def roster(key: str) -> list[str]:
    found = Organisation.get(Organisation.key == key)
    return [m.member_no for m in found.members.order_by(OrgMember.member_no)]


def test_an_organisation_is_upserted_by_its_key_and_its_roster_replaced_whole(here):
    team = org("t1", type="team", name="志愿服务队")
    assert pull(here, "items", put(1, "org:b1", org()), put(2, "org:t1", team)) == [True, True]
    branch = Organisation.get(Organisation.key == "b1")
    assert (branch.kind, branch.name, roster("b1")) == ("branch", "第一党支部", ["DM0001", "DM0002"])
    assert (Organisation.get(Organisation.key == "t1").kind, roster("t1")) == ("team", ["DM0001", "DM0002"])

    # A member left, two joined, the branch renamed: the roster is the one sent, no more.
    renamed = org(name="第一党支部（换届后）", members=["DM0003", "DM0001", "DM0004", "DM0003"])
    assert pull(here, "items", put(3, "org:b1", renamed)) == [True]
    assert (Organisation.get(Organisation.key == "b1").name, roster("b1")) == (
        "第一党支部（换届后）",
        ["DM0001", "DM0003", "DM0004"],
    )
    assert pull(here, "items", put(2, "org:b1", org(members=[]))) == [False]  # an older rev
    assert roster("b1") == ["DM0001", "DM0003", "DM0004"]
    assert pull(here, "items", put(4, "org:b1", {**renamed, "members": []})) == [True]
    assert roster("b1") == [] and roster("t1") == ["DM0001", "DM0002"]


def test_only_kind_name_and_numbers_are_kept(here):
    columns = {t: [c[1] for c in db.execute_sql(f'PRAGMA table_info("{t}")')] for t in ("organisation", "org_member")}
    assert columns == {
        "organisation": ["id", "key", "kind", "name"],
        "org_member": ["id", "organisation_id", "member_no"],
    }


def test_an_activity_names_its_organisation_and_a_dissolved_one_lets_its_activities_go(here):
    # The activity may come before its organisation: it keeps the key.
    pull(here, "items", put(1, "activity:a1", activity("主题党日", org="b1")), put(2, "activity:a2", activity()))
    pull(here, "items", put(3, "org:b1", org()))
    assert {a.bureau_key: a.org_key for a in Activity.select()} == {"activity:a1": "b1", "activity:a2": None}
    # The bureau takes the activity off the branch ...
    pull(here, "items", put(4, "activity:a1", activity("主题党日", org=None)))
    assert Activity.get(Activity.bureau_key == "activity:a1").org_key is None
    pull(here, "items", put(5, "activity:a1", activity("主题党日", org="b1")))
    # ... or dissolves the branch: gone with its roster, its activity stays, no longer the branch's.
    assert pull(here, "items", delete(6, "org:b1")) == [True]
    assert Organisation.select().count() == 0 and OrgMember.select().count() == 0
    a = Activity.get(Activity.bureau_key == "activity:a1")
    assert (a.title, a.org_key, a.cancelled) == ("主题党日", None, False)
    assert Pulled.get(Pulled.entity_id == "org:b1").deleted
    assert pull(here, "items", delete(7, "org:zz")) == [True]  # never held: nothing to remove


def test_an_organisation_the_kiosk_cannot_read_is_skipped(here):
    assert pull(here, "items", put(1, "org:x", {"kind": "org", "key": "x", "type": "team"})) == [False]
    assert pull(here, "items", put(2, "org:y", org("y", members=None))) == [False]
    assert Organisation.select().count() == 0 and Pulled.select().count() == 0
