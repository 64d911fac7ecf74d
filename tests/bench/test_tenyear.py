"""The 10-year database generator, built small: its shape, and that sign-ins work on it."""

from datetime import timedelta

import pytest

from bench import signin, tenyear
from contract.points import CATEGORIES
from kiosk import config
from kiosk.checkin.signin import CheckIn
from kiosk.identity import tokens
from kiosk.identity.credentials import Credential
from kiosk.points import awards, passbook
from kiosk.store.db import open_db
from kiosk.store.models import Enrollment, Lesson, Member, Outbox, PointsEntry, Registration, SignIn, Term

NOW = tenyear.ANCHOR
SIZES = {
    "tiny": tenyear.Size(
        members=200,
        signins=2_000,
        years=1,
        courses_per_term=10,
        active_per_term=80,
        activities_per_term=3,
        registrations_per_activity=20,
    ),
    "small": tenyear.Size(
        members=400,
        signins=6_000,
        years=2,
        courses_per_term=12,
        active_per_term=100,
        activities_per_term=4,
        registrations_per_activity=30,
    ),
}


@pytest.fixture(params=list(SIZES), scope="module")
def built(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    settings = config.load(data_dir=folder)
    counts = tenyear.build(folder, SIZES[request.param], NOW, settings)
    database = open_db(folder)
    yield SIZES[request.param], settings, counts
    database.close()


def sql(query: str) -> list[tuple]:
    return Member._meta.database.execute_sql(query).fetchall()


def test_counts_match_the_size(built):
    size, _, counts = built
    assert counts["member"] == Member.select().count() == size.members
    assert counts["sign_in"] == SignIn.select().count() == size.signins
    assert counts["points_entry"] == PointsEntry.select().count()
    assert Term.select().count() == 2 * size.years


def test_every_signin_and_entry_has_its_fact_in_order(built):
    size, _, counts = built
    facts = counts["sign_in"] + counts["points_entry"]
    assert Outbox.select().where(Outbox.event_id.in_(SignIn.select(SignIn.event_id))).count() == size.signins
    assert (
        Outbox.select().where(Outbox.event_id.in_(PointsEntry.select(PointsEntry.event_id))).count()
        == (counts["points_entry"])
    )
    assert Outbox.select().where(Outbox.state == "acked").count() == facts
    assert Outbox.select().order_by(Outbox.seq.desc()).first().seq == facts  # gap-free
    assert SignIn.select().where(SignIn.at >= NOW.replace(hour=0, minute=0)).count() == 0


def test_sign_ins_are_awarded_by_the_rules_within_the_daily_caps(built):
    size, _, _ = built
    awarded = PointsEntry.select().where(PointsEntry.signin.is_null(False))
    assert awarded.count() == awarded.select(PointsEntry.signin).distinct().count()  # at most one each
    assert awarded.count() > 0.98 * size.signins  # the caps seldom bite
    assert {(e.kind, e.rule) for e in awarded.select(PointsEntry.kind, PointsEntry.rule).distinct()} <= {
        (c, f"{c}_attendance") for c in CATEGORIES
    }
    caps = {c: r.daily_cap for c, r in awards.rules().items()}
    by_day = sql(
        "SELECT kind, max(total) FROM (SELECT member_id, kind, date(at), sum(amount) AS total"
        " FROM points_entry WHERE kind IN ('lesson', 'activity', 'party', 'volunteer')"
        " GROUP BY 1, 2, 3) GROUP BY kind"
    )
    assert by_day and all(most <= caps[kind] for kind, most in by_day)


def test_ledgers_hold_volunteer_service_redemptions_and_corrections(built):
    _, _, counts = built
    extra = dict(sql("SELECT kind, count(*) FROM points_entry WHERE signin_id IS NULL GROUP BY kind"))
    assert set(extra) == {"volunteer", "redeem", "correction"}
    assert 0.01 * counts["points_entry"] < sum(extra.values()) < 0.06 * counts["points_entry"]
    assert sql(
        "SELECT count(*) FROM points_entry WHERE kind = 'volunteer' AND signin_id IS NULL"
        " AND (amount <= 0 OR note NOT GLOB '志愿服务 * 小时')"
    ) == [(0,)]
    assert sql(
        "SELECT count(*) FROM points_entry WHERE kind = 'redeem' AND (amount >= 0 OR note NOT LIKE '兑换 %')"
    ) == [(0,)]
    # A correction takes back one earlier award of the same member, and each award at most once.
    wrong = sql(
        "SELECT c.id FROM points_entry c LEFT JOIN points_entry a ON a.id = c.reverses_id"
        " WHERE c.kind = 'correction' AND (a.id IS NULL OR a.member_id != c.member_id"
        " OR a.amount != -c.amount OR a.at > c.at OR a.signin_id IS NULL"
        " OR c.note NOT LIKE '更正：%')"
    )
    assert wrong == []
    assert sql("SELECT count(*) - count(DISTINCT reverses_id) FROM points_entry WHERE kind = 'correction'") == [(0,)]


def test_only_the_last_days_are_provisional(built):
    provisional = PointsEntry.status == "provisional"
    assert PointsEntry.select().where(provisional).count() > 0
    assert PointsEntry.select().where(provisional != (PointsEntry.at >= NOW - timedelta(days=3))).count() == 0


def test_confirmed_balances_are_the_ledger_sums(built):
    wrong = sql(
        "SELECT m.id FROM member m LEFT JOIN (SELECT member_id, sum(amount) AS total"
        " FROM points_entry WHERE status = 'confirmed' GROUP BY member_id) p ON p.member_id = m.id"
        " WHERE m.points_confirmed != coalesce(p.total, 0)"
    )
    assert wrong == []
    assert sql("SELECT count(*) FROM member WHERE points_confirmed < 0") == [(0,)]


def test_registrations_are_made_before_their_activity(built):
    assert Registration.select().count() > 0
    assert sql(
        "SELECT count(*) FROM registration r JOIN activity a ON a.id = r.activity_id"
        " WHERE r.at IS NULL OR r.at >= a.start"
    ) == [(0,)]


def test_members_have_their_preferences(built):
    assert 0 < Member.select().where(Member.large_text).count() < Member.select().count()
    assert 0 < Member.select().where(~Member.voice).count() < Member.select().count()


def test_the_passbook_of_the_busiest_member(built):
    ((member_id,),) = sql("SELECT member_id FROM points_entry GROUP BY member_id ORDER BY count(*) DESC LIMIT 1")
    member = Member.get_by_id(member_id)
    book = passbook.passbook(member.member_no)
    assert book.total == PointsEntry.select().where(PointsEntry.member == member).count() > 5
    assert len(book.entries) == 5 and all(e.title for e in book.entries)
    assert [e.at for e in book.entries] == sorted((e.at for e in book.entries), reverse=True)
    assert book.balance == passbook.balance(member)


def test_references_hold(built):
    database = Member._meta.database
    assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_lesson_is_due_now_and_signing_in_to_it_works(built):
    _, settings, _ = built
    window = timedelta(minutes=settings.checkin.window_before_min)
    due = (
        Lesson.select()
        .join(Enrollment, on=(Enrollment.course == Lesson.course))
        .join(Member)
        .where(
            Lesson.start.between(NOW - window, NOW + window),
            ~Lesson.cancelled,
            Enrollment.status == "enrolled",
            Member.active,
        )
    )
    enrolment = Enrollment.get(
        Enrollment.course == due.first().course,
        Enrollment.status == "enrolled",
        Enrollment.member.in_(Member.select(Member.id).where(Member.active)),
    )
    member = enrolment.member
    card = Credential.qr(tokens.make(member.member_no, member.card_issue, bytes.fromhex(settings.security.card_key)))
    before = passbook.balance(member)
    result = CheckIn(settings).handle(card, NOW)
    assert (result.kind, result.points_gained) == ("ok", awards.rule("lesson").points)
    assert result.balance == before + awards.rule("lesson").points


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
