"""The kiosks' `application` facts through the real ingest and rules (bureau/rules/applications.py),
on both stores: filed, withdrawn, an extra one kept refused, and dead-lettered when the season or
course is unknown, the season closed, or the kiosk is another site's."""

from datetime import timedelta

import pytest

from bureau import rules
from bureau.enrolment import results
from bureau.models import Application, EventReject
from bureau.rules.applications import TOO_MANY
from bureau.store import write
from tests.bureau.test_rules import Till

from .world import NOW, A, B, build

AT = NOW + timedelta(hours=2)


@pytest.fixture
def world(store):
    return build()


def application(world, member_no, course, action="apply", at=AT, season=None, **fields):
    return "application", {
        "member_no": member_no,
        "season": season or world.season.key,
        "course": course,
        "action": action,
        "at": at.isoformat(),
        **fields,
    }


def reasons() -> dict[str, tuple[str, str]]:
    return {r.event_id: (r.code, r.reason) for r in EventReject.select()}


def test_applications_from_a_kiosk_are_filed_in_order(world):
    till = Till(A)
    wang, li = world.members[0].member_no, world.members[1].member_no
    till.push(
        application(world, wang, world.calligraphy.key),
        application(world, wang, world.yoga.key, age_checked=True),
        application(world, wang, world.choir.key),  # a third: over the season's 2
        application(world, li, world.choir.key),
        application(world, li, world.choir.key, action="withdraw"),
        application(world, li, world.calligraphy.key, reason="老伴代办"),
    )
    rules.catch_up()
    rows = {(a.member_no, a.course_id): (a.status, a.refusal, a.age_checked) for a in Application.select()}
    assert rows == {
        (wang, world.calligraphy.id): ("applied", "", False),
        (wang, world.yoga.id): ("applied", "", True),
        (wang, world.choir.id): ("refused", TOO_MANY, False),
        (li, world.choir.id): ("withdrawn", "", False),
        (li, world.calligraphy.id): ("applied", "", False),
    }
    assert Application.get(Application.member_no == li, Application.course == world.calligraphy).reason == "老伴代办"
    # Withdrawing one frees a place, in a later round too.
    till.push(application(world, wang, world.yoga.key, action="withdraw"), application(world, wang, world.choir.key))
    rules.catch_up()
    assert Application.get(Application.member_no == wang, Application.course == world.choir).status == "applied"
    assert reasons() == {}


def test_older_is_filed_from_the_fact_and_a_later_apply_replaces_it(world):
    till = Till(A)
    wang, li = world.members[0].member_no, world.members[1].member_no
    till.push(
        application(world, wang, world.choir.key, older=True),
        application(world, li, world.choir.key),  # a kiosk from before older: none said
    )
    rules.catch_up()
    assert {a.member_no: a.older for a in Application.select()} == {wang: True, li: False}
    till.push(
        application(world, wang, world.choir.key, at=AT + timedelta(minutes=5)),  # again with a QR card
        application(world, li, world.choir.key, at=AT + timedelta(minutes=5), older=True),  # again with the ID card
    )
    rules.catch_up()
    rows = {a.member_no: (a.status, a.older) for a in Application.select()}
    assert rows == {wang: ("applied", False), li: ("applied", True)}
    assert reasons() == {}


def test_facts_the_rules_cannot_file_are_dead_lettered_with_the_reason(world):
    wang = world.members[0].member_no
    till, other = Till(A), Till(B)
    unknown_season, unknown_course, early, late = till.push(
        application(world, wang, world.choir.key, season="nosuchseason"),
        application(world, wang, "nosuchcourse"),
        application(world, wang, world.choir.key, at=NOW - timedelta(minutes=1)),
        application(world, wang, world.choir.key, at=NOW + timedelta(days=7)),
    )
    (foreign,) = other.push(application(world, "DC0001", world.choir.key))
    rules.catch_up()
    found = reasons()
    assert found[unknown_season] == ("unusable", "season nosuchseason is unknown to the bureau")
    assert "is not offered" in found[unknown_course][1]
    assert "opens at" in found[early][1]
    assert "closed at" in found[late][1]
    assert found[foreign][0] == "wrong_site" and "DEMO-001" in found[foreign][1]
    assert Application.select().count() == 0
    # Once the list is fixed, a fact written before closing but arriving after is refused too.
    till.push(application(world, wang, world.choir.key))
    rules.catch_up()
    with write():
        results.freeze(world.season, "staff-a", NOW + timedelta(days=8))
    (arrived_late,) = till.push(application(world, world.members[1].member_no, world.choir.key))
    rules.catch_up()
    assert "applicant list is fixed" in reasons()[arrived_late][1]
    assert Application.select().count() == 1
