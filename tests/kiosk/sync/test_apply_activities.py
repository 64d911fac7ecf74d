"""An activity as the bureau's console publishes it, applied and then met at the kiosk: a cancellation
told once to the seniors who registered, the activity's own sign-in window, and a closed waitlist."""

from datetime import datetime, timedelta

from kiosk.checkin.visit import Reception
from kiosk.programme import activities
from kiosk.store.models import Activity, Registration
from screens import present_service
from tests.kiosk.sync.test_apply import activity, here, pull, put  # noqa: F401 (the fixture)

START = datetime(2025, 3, 20, 9, 0)  # test_apply.activity()'s


def test_a_cancelled_activity_is_told_once_to_those_registered_at_their_next_card_read(here, world, settings):
    pull(here, "items", put(1, "activity:a1", activity(open=False)))
    walk = Activity.get(Activity.bureau_key == "activity:a1")
    wang, li, zhao = world.member("DM9001"), world.member("DM9002", "李秀英"), world.member("DM9003", "赵兰")
    world.register(wang, walk)
    world.register(li, walk, "waitlisted")
    world.register(zhao, walk, "cancelled")  # gave the place up: nothing to tell
    cancelled = activity(open=False, cancelled=True, cancel_reason="天气预报有大雨")
    pull(here, "items", put(2, "activity:a1", cancelled))
    walk = Activity.get_by_id(walk.id)
    assert (walk.cancelled, walk.cancel_reason) == (True, "天气预报有大雨")
    # The bureau changes only the reason: nobody is told twice.
    pull(here, "items", put(3, "activity:a1", {**cancelled, "cancel_reason": "暴雨预警"}))

    reception, now = Reception(settings), START - timedelta(days=2)
    news = reception.identify(world.qr(wang), now).news
    assert [(n.title, n.cancelled, n.reason) for n in news] == [("重阳节游园", True, "暴雨预警")]
    assert present_service.news(news) == "重阳节游园（3月20日）已取消：暴雨预警"
    assert present_service.news_voice(news) == ()  # the clip of good news is not said
    assert reception.identify(world.qr(wang), now + timedelta(minutes=1)).news == ()  # told once
    assert [n.cancelled for n in reception.identify(world.qr(li), now).news] == [True]
    assert reception.identify(world.qr(zhao), now).news == ()
    # The attract screen shows it, as cancelled.
    (view,) = activities.upcoming(now, cancelled=True)
    assert present_service.attract_row(view) == "3月20日　重阳节游园　已取消"
    assert activities.upcoming(now) == []  # the seniors' own list leaves it out


def test_an_activity_is_due_within_its_own_window_else_the_kiosks(here, world, settings):
    pull(here, "items", put(1, "activity:a1", activity(open=True, window_before_min=90, window_after_min=0)))
    pull(
        here,
        "items",
        put(2, "activity:a2", activity("午后讲座", start="2025-03-20T14:00:00", end="2025-03-20T15:00:00", open=True)),
    )
    wang = world.member("DM9001")
    reception = Reception(settings)
    before, after = settings.checkin.window_before_min, settings.checkin.window_after_min
    early = reception.sign_in(world.qr(wang), START - timedelta(minutes=80))  # the kiosk's window is narrower
    assert early.result.kind == "ok" and early.result.item.title == "重阳节游园"
    late = reception.sign_in(world.qr(world.member("DM9002", "李秀英")), START + timedelta(minutes=1))
    assert late.result.kind != "ok"  # no sign-in after its start
    talk = datetime(2025, 3, 20, 14, 0)
    assert reception.sign_in(world.qr(wang), talk - timedelta(minutes=before + 1)).result.kind != "ok"
    on_time = reception.sign_in(world.qr(wang), talk + timedelta(minutes=after))
    assert on_time.result.kind == "ok" and on_time.result.item.title == "午后讲座"


def test_without_a_waitlist_a_full_activity_refuses_more(here, world, settings):
    pull(here, "items", put(1, "activity:a1", activity(open=False, capacity=1, waitlist=False)))
    walk = Activity.get(Activity.bureau_key == "activity:a1")
    now = START - timedelta(days=3)
    first = activities.sign_up(world.member("DM9001").member_no, walk.id, now, "K1", here.site)
    second = activities.sign_up(world.member("DM9002", "李秀英").member_no, walk.id, now, "K1", here.site)
    assert (first.outcome, second.outcome) == ("registered", "full")
    assert not second.view.waitlist and present_service.change_message(second) == "名额已满，这个活动不设候补"
    assert Registration.select().count() == 1
