"""A demo kiosk registered at a real bureau on loopback, on both stores, as README's bureau section
does it (`site add … --prefix DM`, `kiosk add --out site.toml`): the bureau learns the demo roster
and its balances from the kiosk's push, and after the pull nothing the demo shows is blanked or
lowered; a demo member's ID card and QR card still name them, and their sign-in then counts."""

from datetime import date, datetime

import pytest

from bureau.models import EventReject, LedgerEntry
from bureau.models import Member as BureauMember
from kiosk import config, demo
from kiosk.checkin.signin import CheckIn
from kiosk.identity import tokens
from kiosk.identity.credentials import Credential
from kiosk.points import passbook
from kiosk.store.db import db as kiosk_db
from kiosk.store.db import open_db
from kiosk.store.models import CatalogueItem, Member, Outbox
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.pull import pull_all
from kiosk.sync.push import backlog, push_all

from .conftest import SITE, SITE_NAME, cli


@pytest.fixture
def demo_kiosk(tmp_path, server, store_url):
    """The demo kiosk's settings, with the site file the bureau's `kiosk add` wrote, and its
    kiosk.db with the demo loaded."""
    assert cli(store_url, "site", "add", SITE, SITE_NAME, "--prefix", "DM", cwd=tmp_path).returncode == 0
    added = cli(store_url, "kiosk", "add", "--site", SITE, "--url", server.url, "--out", "site.toml", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    settings = config.load(tmp_path / "site.toml", tmp_path / "kiosk-data")
    assert settings.site.demo_data  # the file leaves the demo on
    open_db(settings.kiosk.data_dir)
    assert demo.load_if_empty(settings, datetime.now())
    yield settings
    kiosk_db.close()


def sync(settings) -> None:
    """One push of the whole outbox and one pull of every stream, as the sync thread does."""
    bureau = Bureau(settings)
    try:
        push_all(bureau, settings.sync.batch)
        pulled = pull_all(bureau, Here(settings.site.code, settings.kiosk.id, datetime.now()))
    finally:
        bureau.close()
    assert {s: str(x) for s, x in pulled.items() if isinstance(x, Exception)} == {}


def shown() -> dict[str, tuple]:
    """What the demo shows of each member: name, card, balance and passbook rows."""
    return {
        m.member_no: (m.name, m.initials, m.gender, m.phone_last4, m.id_hash, m.card_issue, m.active)
        + (passbook.balance(m), _rows(m.member_no))
        for m in Member.select()
    }


def _rows(member_no: str) -> list[tuple]:
    book = passbook.passbook(member_no, per_page=1000)
    return sorted((e.at, e.kind, e.title, e.amount) for e in book.entries)


def test_a_demo_kiosk_keeps_its_roster_and_balances_after_a_sync_with_a_real_bureau(demo_kiosk):
    settings = demo_kiosk
    before = shown()
    sync(settings)
    assert backlog() == 0 and EventReject.select().count() == 0
    # The bureau has the demo roster, each member with their name, id_hash and balance.
    roster = {m.member_no: m for m in BureauMember.select()}
    assert {no: (m.name, m.id_hash, m.balance) for no, m in roster.items()} == {
        no: (name, id_hash, balance) for no, (name, _, _, _, id_hash, _, _, balance, _) in before.items()
    }
    assert LedgerEntry.select().where(LedgerEntry.kind == "reversal").count() == 0
    # Nothing is blanked or lowered here.  The one change: a carried-over balance, which the
    # bureau holds as an entry, comes back as a passbook row where the demo showed 原有积分.
    after = shown()
    assert {no: v[:-1] for no, v in after.items()} == {no: v[:-1] for no, v in before.items()}
    for no, rows in ((no, v[-1]) for no, v in after.items()):
        gained = [r for r in rows if r not in before[no][-1]]
        assert [(kind, title) for _, kind, title, _ in gained] in ([], [("correction", "原有积分")])
        assert sum(r[-1] for r in rows) == after[no][-2]  # the rows add up to the balance


def test_demo_members_cards_still_name_them_after_they_signed_in_and_synced(demo_kiosk):
    """The soak's seniors: signed in by ID card and by QR card, synced, and read again."""
    settings = demo_kiosk
    data = {m["no"]: m for m in demo.read(settings.site.demo_data)["members"]}
    sync(settings)
    now = datetime.now()
    demo.ensure_due(settings, now)  # DM0003 and DM0004 are enrolled in its course only: nothing to choose
    checkin = CheckIn(settings)
    cards = {
        "DM0004": Credential(method="idcard", id_number=data["DM0004"]["id"], valid_to=date(2040, 1, 1)),
        "DM0003": Credential.qr(tokens.make("DM0003", 1, bytes.fromhex(settings.security.card_key))),
    }
    balances = {no: passbook.balance(Member.get(Member.member_no == no)) for no in cards}
    for no, card in cards.items():
        result = checkin.handle(card, now)
        assert (result.kind, result.member_no, result.points_gained > 0) == ("ok", no, True), result
        balances[no] += result.points_gained
    sync(settings)  # the sign-ins go up and their awards come back confirmed
    for no, card in cards.items():
        member = checkin.identify(card, now)
        assert isinstance(member, Member), member  # not 「未登记」
        assert (member.member_no, member.name, member.points_confirmed) == (no, data[no]["name"], balances[no])
        assert BureauMember.get(BureauMember.member_no == no).balance == balances[no]


def test_a_demo_kiosk_with_a_bureau_takes_its_catalogue_from_the_bureau(demo_kiosk):
    """The demo's items and the requests made for them stay off a kiosk that syncs: the bureau
    could file no request for an item it never published."""
    assert demo_kiosk.sync.url
    assert CatalogueItem.select().count() == 0
    assert not Outbox.select().where(Outbox.kind == "redemption").exists()
