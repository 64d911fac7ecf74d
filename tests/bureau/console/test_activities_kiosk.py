"""End to end: an activity saved in the console reaches a real kiosk's database by its pull, a
senior's registration there comes back as the console's Signup, and the console's cancellation
reaches the kiosk, which tells the senior once."""

from datetime import datetime, timedelta

from bureau import rules
from bureau.models import Activity as BureauActivity
from bureau.models import Signup
from kiosk.checkin.visit import Reception
from kiosk.identity import tokens
from kiosk.identity.credentials import Credential
from kiosk.programme import activities
from kiosk.store.db import write
from kiosk.store.models import Activity, Member, Site
from kiosk.sync.pull import pull_stream
from kiosk.sync.push import push_all

from ..conftest import SITE
from ..test_kiosk_pull import bureau, here  # noqa: F401 (the fixture)
from .test_activities import accounts, csrf, form, key_of, signed_in, store_url  # noqa: F401 (fixtures)


def test_an_activity_saved_in_the_console_reaches_the_kiosk_and_its_registrations_come_back(
    accounts, settings, bureau, kiosk
):
    start = (datetime.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    with signed_in(accounts, "staffa") as a:
        token = csrf(a, "/web/activities/new")
        fields = form("重阳健步行", start, capacity="1", window_before_min="60", window_after_min="5")
        key = key_of(
            a.post("/web/activities/new", data={**{k: v for k, v in fields.items() if k != "waitlist"}, "csrf": token})
        )

        with write():
            Site.get_or_create(code=SITE, defaults={"name": "本站"})
            wang = Member.create(member_no="XC0001", name="王建华", site=Site.get(Site.code == SITE))
        pull_stream(bureau, "items", here(settings))
        got = Activity.get(Activity.bureau_key == f"activity:{key}")
        assert (got.title, got.capacity, got.waitlist, got.window_before_min, got.window_after_min, got.cancelled) == (
            "重阳健步行",
            1,
            False,
            60,
            5,
            False,
        )
        now = datetime.now()
        assert activities.sign_up("XC0001", got.id, now, settings.kiosk.id, SITE).outcome == "registered"
        push_all(bureau, settings.sync.batch)
        rules.catch_up()
        (signup,) = Signup.select()
        assert (signup.member_no, signup.status, signup.activity_id) == (
            "XC0001",
            "registered",
            BureauActivity.get(BureauActivity.key == key).id,
        )
        assert "XC0001" in a.get(f"/web/activities/{key}").text

        assert a.post(f"/web/activities/{key}/cancel", data={"reason": "场地维修", "csrf": token}).status_code == 303
    pull_stream(bureau, "items", here(settings))
    got = Activity.get_by_id(got.id)
    assert (got.cancelled, got.cancel_reason) == (True, "场地维修")
    reception = Reception(settings)
    news = reception.identify(_card(settings, wang), now).news
    assert [(n.title, n.reason) for n in news] == [("重阳健步行", "场地维修")]
    assert reception.identify(_card(settings, wang), now).news == ()


def _card(settings, member: Member) -> Credential:
    """The senior's QR card, as the kiosk's card printer makes it."""
    return Credential.qr(tokens.make(member.member_no, member.card_issue, bytes.fromhex(settings.security.card_key)))
