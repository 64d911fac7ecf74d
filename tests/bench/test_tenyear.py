"""The 10-year database generator, built small: its shape, and that sign-ins work on it."""
from datetime import timedelta

import pytest

from bench import signin, tenyear
from kiosk import config, tokens
from kiosk.checkin import CheckIn
from kiosk.credentials import Credential
from kiosk.db import open_db
from kiosk.models import Enrollment, Lesson, Member, Outbox, PointsEntry, SignIn, Term

NOW = tenyear.ANCHOR
SIZES = {
    "tiny": tenyear.Size(members=200, signins=2_000, years=1, courses_per_term=10, active_per_term=80,
                         activities_per_term=3, registrations_per_activity=20),
    "small": tenyear.Size(members=400, signins=6_000, years=2, courses_per_term=12, active_per_term=100,
                          activities_per_term=4, registrations_per_activity=30),
}


@pytest.fixture(params=list(SIZES), scope="module")
def built(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    settings = config.load(data_dir=folder)
    counts = tenyear.build(folder, SIZES[request.param], NOW, settings)
    database = open_db(folder)
    yield SIZES[request.param], settings, counts
    database.close()


def test_counts_match_the_size(built):
    size, _, counts = built
    assert counts["member"] == Member.select().count() == size.members
    assert counts["sign_in"] == SignIn.select().count() == size.signins
    assert PointsEntry.select().where(PointsEntry.status == "confirmed").count() == size.signins
    assert Outbox.select().where(Outbox.state == "acked").count() == 2 * size.signins
    assert Term.select().count() == 2 * size.years


def test_every_signin_has_its_points_and_facts_in_order(built):
    size, _, _ = built
    assert PointsEntry.select(PointsEntry.signin).distinct().count() == size.signins
    assert Outbox.select().where(Outbox.event_id.in_(SignIn.select(SignIn.event_id))).count() == size.signins
    assert Outbox.select().order_by(Outbox.seq.desc()).first().seq == 2 * size.signins  # gap-free
    assert SignIn.select().where(SignIn.at >= NOW.replace(hour=0, minute=0)).count() == 0


def test_confirmed_balances_are_the_ledger_sums(built):
    wrong = Member._meta.database.execute_sql(
        "SELECT m.id FROM member m LEFT JOIN (SELECT member_id, sum(amount) AS total FROM points_entry"
        " WHERE status = 'confirmed' GROUP BY member_id) p ON p.member_id = m.id"
        " WHERE m.points_confirmed != coalesce(p.total, 0)").fetchall()
    assert wrong == []


def test_references_hold(built):
    database = Member._meta.database
    assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_lesson_is_due_now_and_signing_in_to_it_works(built):
    _, settings, _ = built
    window = timedelta(minutes=settings.checkin.window_before_min)
    due = (Lesson.select().join(Enrollment, on=(Enrollment.course == Lesson.course))
           .join(Member).where(Lesson.start.between(NOW - window, NOW + window), ~Lesson.cancelled,
                               Enrollment.status == "enrolled", Member.active))
    enrolment = Enrollment.get(Enrollment.course == due.first().course, Enrollment.status == "enrolled",
                               Enrollment.member.in_(Member.select(Member.id).where(Member.active)))
    member = enrolment.member
    card = Credential.qr(tokens.make(member.member_no, member.card_issue,
                                     bytes.fromhex(settings.security.card_key)))
    result = CheckIn(settings).handle(card, NOW)
    assert (result.kind, result.points_gained) == ("ok", settings.checkin.points_per_lesson)
    assert result.balance == member.points_confirmed + settings.checkin.points_per_lesson


def test_the_signin_benchmark_plan_gets_ok_for_different_members(built):
    _, settings, _ = built
    visits = signin.plan(NOW + timedelta(days=1), 30)
    assert len({v.member_no for v in visits}) == 30
    assert [v.now for v in visits] == sorted(v.now for v in visits)
    timings = signin.measure(settings, visits)
    assert timings.kinds == {"ok": 30} and len(timings.wall_ms) == len(timings.cpu_ms) == 30


def test_ensure_builds_once_and_drops_stale_versions(tmp_path):
    size = SIZES["tiny"]
    stale = tmp_path / f"tenyear-{size.members}m-{size.signins}s-000000000000"
    stale.mkdir()
    folder, manifest = tenyear.ensure(size, root=tmp_path)
    built_at = (folder / "kiosk.db").stat().st_mtime_ns
    again, manifest_again = tenyear.ensure(size, root=tmp_path)
    assert again == folder and manifest_again == manifest
    assert (folder / "kiosk.db").stat().st_mtime_ns == built_at
    assert manifest["counts"]["sign_in"] == size.signins
    assert not stale.exists()
