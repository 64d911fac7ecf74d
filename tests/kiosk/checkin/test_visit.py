"""Reception: one call a card read, and back everything the screen needs — what the read means,
the senior with their own type size and voice, and a waitlist place to tell them of, once."""

import json
from datetime import timedelta

from kiosk.checkin.visit import Reception, Senior
from kiosk.store.models import Member, Outbox
from tests.kiosk.builders import ID_NOT_REGISTERED, ID_WANG, LESSON_START


def promoted(world, member, title: str = "重阳登高"):
    """A place `member` got from the waitlist of an activity, not yet told."""
    activity = world.activity(title, LESSON_START + timedelta(days=3))
    reg = world.register(member, activity)
    reg.notify = True
    reg.save()
    return activity


def test_a_sign_in_brings_the_result_the_seniors_preferences_and_their_news_once(world, wang, settings):
    member, _ = wang
    Member.update(large_text=True, voice=False).where(Member.id == member.id).execute()
    promoted(world, member)
    reception = Reception(settings)
    visit = reception.sign_in(world.qr(member), LESSON_START)
    assert visit.result.kind == "ok"
    assert visit.senior == Senior("DM9001", "王*华", large_text=True, voice=False)  # masked on the screen
    assert [n.title for n in visit.news] == ["重阳登高"]
    again = reception.sign_in(world.qr(member), LESSON_START + timedelta(seconds=1))
    assert again.result.repeat and again.senior is None and again.news == ()  # nothing new
    later = reception.sign_in(world.qr(member), LESSON_START + timedelta(minutes=5))
    assert later.result.kind == "already" and later.news == ()  # told once


def test_a_card_nobody_holds_brings_no_senior(world, settings):
    visit = Reception(settings).sign_in(world.idcard(ID_NOT_REGISTERED), LESSON_START)
    assert visit.result.kind == "unknown_card" and visit.senior is None


def test_identify_names_the_senior_without_signing_in_or_says_why_not(world, wang, settings):
    member, _ = wang
    promoted(world, member)
    reception = Reception(settings)
    visit = reception.identify(world.qr(member), LESSON_START)
    assert visit.result is None and visit.senior.member_no == "DM9001"
    assert [n.title for n in visit.news] == ["重阳登高"]
    assert not Outbox.select().where(Outbox.kind == "signin").exists()
    refused = reception.identify(world.idcard(ID_NOT_REGISTERED), LESSON_START)
    assert (refused.result.kind, refused.result.method, refused.senior) == ("unknown_card", "idcard", None)


def test_preferences_are_kept_on_the_member_and_told_to_the_bureau(world, wang, settings):
    member, _ = wang
    reception = Reception(settings)
    senior = reception.identify(world.qr(member), LESSON_START).senior
    changed = reception.set_prefs(senior, LESSON_START, large_text=True)
    assert (changed.large_text, changed.voice) == (True, True)
    assert Member.get_by_id(member.id).large_text
    fact = json.loads(Outbox.get(Outbox.kind == "member_prefs").payload)
    assert (fact["member_no"], fact["large_text"], fact["voice"]) == ("DM9001", True, True)


def test_an_id_card_prepared_while_the_read_is_acknowledged_is_decided_with_its_own_hash(world, wang, settings):
    """prepare() derives the card's id_hash on another thread; the read decided after it names
    the card's holder, and a second card prepared before the first is decided names its own."""
    member, _ = wang
    reception = Reception(settings)
    reception.prepare(world.idcard(ID_WANG))
    visit = reception.sign_in(world.idcard(ID_WANG), LESSON_START)
    assert visit.result.kind == "ok" and visit.senior.member_no == member.member_no
    reception.prepare(world.idcard(ID_WANG))
    reception.prepare(world.idcard(ID_NOT_REGISTERED))  # another card laid before the first is decided
    assert reception.identify(world.idcard(ID_WANG), LESSON_START).senior.member_no == member.member_no
    refused = reception.identify(world.idcard(ID_NOT_REGISTERED), LESSON_START)
    assert refused.result.kind == "unknown_card" and refused.senior is None
