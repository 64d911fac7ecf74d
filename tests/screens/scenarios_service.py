"""UI scenarios for the seniors' own screens (docs/design.md §8.2–§8.4), run by tests/screens/harness.py.

Each scenario drives the REAL app: taps are Kivy touches on the real buttons, cards are wedge
scans, and idle time passes on a fake clock that the app's idle timer reads (app.clock), so a
90-second wait takes a few frames.
"""

from datetime import datetime, timedelta
from pathlib import Path

from devices.display import Panel
from kiosk.i18n import t

MEMBER, OTHER = "DM0001", "DM0005"


class FakeClock:
    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fake_clock(app) -> FakeClock:
    clock = FakeClock()
    app.clock = clock
    app.idle.timer.touch(clock())
    return clock


def tap(widget, slide_off: bool = False) -> None:
    """A finger on the widget's centre, lifted there (or after sliding off it)."""
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(*widget.to_window(*widget.center))
    touch.touch_down()
    if slide_off:
        touch.touch_move(*widget.to_window(widget.x - 300, widget.y - 300))
    touch.touch_up()


def home_button(app, service: str):
    title = t(f"service.title.{service}")
    return next(b for b in app.home.ids.services.children if b.text == title)


def open_from_home(app, service: str) -> list:
    """Two steps: home, then (once home is laid out and drawn) its button for `service`."""

    def home():
        app.go_home()
        return shown(app, "home")

    def press():
        tap(home_button(app, service))
        return shown(app, service)

    return [home, press]


def shown(app, name: str):
    return lambda: app.screens.current == name and not app.reading.showing


def identified(app, name: str):
    screen = app.screens.get_screen(name)
    return lambda: screen.senior is not None and not app.reading.showing


def spy_voice(app, obs) -> None:
    """Record each phrase the real voice is asked to say (it still plays it)."""
    spoken = obs.setdefault("spoken", [])
    real = app.voice.say

    def say(name, *args, **kwargs):
        spoken.append([name, {k: v for k, v in kwargs.items() if k != "then" or v}])
        return real(name, *args, **kwargs)

    app.voice.say = say


def visible(widget) -> bool:
    while widget is not None:
        if getattr(widget, "opacity", 1) == 0:
            return False
        widget = widget.parent if widget.parent is not widget else None
    return True


def texts(root) -> list[str]:
    """Every visible text under `root`, markup removed."""
    from kivy.uix.label import Label

    from tests.screens.harness import plain

    return [plain(w.text) for w in root.walk(restrict=True) if isinstance(w, Label) and w.text and visible(w)]


def all_texts(app) -> list[str]:
    """Every text in every screen and pop-up, shown or not: what a reset must have blanked."""
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from tests.screens.harness import plain

    found = []
    for root in [*app.screens.screens, *Window.children]:
        found += [plain(w.text) for w in root.walk(restrict=True) if isinstance(w, Label) and w.text]
    return found


def scan_member(app, member_no: str) -> None:
    from tests.screens.harness import token, type_scan

    type_scan(token(app.settings, member_no))


# -- scenarios ------------------------------------------------------------------------------------


def passbook(app, settings, obs):
    """我的积分: a card → balance and passbook; 下一页; the idle prompt at 70 s; home at 90 s."""
    clock = fake_clock(app)
    spy_voice(app, obs)
    screen = app.services["points"]

    def open_points():
        tap(home_button(app, "points"))
        return shown(app, "points")

    def scan():
        obs["before"] = texts(screen)
        scan_member(app, MEMBER)
        obs["ack_at_once"] = app.reading.showing
        return identified(app, "points")

    def first_page():
        obs["page1"] = _passbook_page(screen)
        tap(screen.ids.bar.ids.next)
        return lambda: screen.page == 1

    def second_page():
        obs["page2"] = _passbook_page(screen)
        clock.advance(70)
        return lambda: app.idle.prompt.showing

    def prompt():
        obs["prompt"] = texts(app.idle.prompt)
        obs["prompt_box"] = list(app.idle.prompt.pos) + list(app.idle.prompt.size)
        button = app.idle.prompt.ids.more
        obs["continue_box"] = list(button.to_window(*button.pos)) + list(button.size)
        tap(button)
        return lambda: not app.idle.prompt.showing

    def extended():
        obs["after_continue"] = app.screens.current
        obs["page_after_continue"] = screen.page
        clock.advance(90)
        return shown(app, "home")

    def reset():
        obs["texts_after_reset"] = all_texts(app)
        obs["scale_after_reset"] = app.theme.scale
        obs["senior_after_reset"] = app.senior is not None

    return [open_points, scan, first_page, second_page, prompt, extended, reset]


def passbook_adds_up(app, settings, obs):
    """我的积分's last page for a demo member with an opening balance: the rows add up."""
    screen = app.services["points"]

    def open_points():
        tap(home_button(app, "points"))
        return shown(app, "points")

    def scan():
        scan_member(app, MEMBER)
        return identified(app, "points")

    def last_page():
        obs["page1"] = _passbook_page(screen)
        for _ in range(screen.pages - 1):
            tap(screen.ids.bar.ids.next)
        return lambda: screen.page == screen.pages - 1

    def look():
        obs["last"] = _passbook_page(screen)
        all_rows = []
        for page in range(screen.pages):
            screen.page = page
            screen.show()
            all_rows += [r.ids.amount.text for r in screen.rows if r.ids.amount.text]
        obs["amounts"] = all_rows

    return [open_points, scan, last_page, look]


def _passbook_page(screen) -> dict:
    return {
        "balance": screen.ids.balance.text,
        "who": screen.ids.header.who,
        "page_text": screen.ids.bar.page_text,
        "pages": screen.pages,
        "rows": [[r.ids.date.text, r.ids.what.text, r.ids.amount.text] for r in screen.rows],
        "texts": texts(screen),
    }


def add_test_activities(member_no: str = OTHER):
    """Two activities starting in 2 hours (the soonest on the list): one without a limit, and
    one with a single place, already taken by `member_no`."""
    from kiosk.store.db import write
    from kiosk.store.models import Activity, Member, Registration, Site

    start = datetime.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    with write():
        free = Activity.create(
            site=Site.get(),
            title="测试报告会",
            kind="report",
            place="五楼 报告厅",
            start=start,
            end=start + timedelta(hours=1),
            capacity=0,
        )
        full = Activity.create(
            site=Site.get(),
            title="测试汇演",
            kind="performance",
            place="一楼 大厅",
            start=start + timedelta(minutes=1),
            end=start + timedelta(hours=2),
            capacity=1,
        )
        Registration.create(
            member=Member.get(Member.member_no == member_no),
            activity=full,
            status="registered",
            at=datetime.now() - timedelta(days=1),
        )
    return free.id, full.id


def outside_organisations(member_no: str) -> None:
    """The member leaves the demo's branch and team, whose next activities would otherwise come
    first on their list (tests/screens/test_orgs.py): the list in its plain order."""
    from kiosk.store.db import write
    from kiosk.store.models import OrgMember

    with write():
        OrgMember.delete().where(OrgMember.member_no == member_no).execute()


def row_of(screen, title: str):
    return next((r for r in screen.rows if r.ids.title.text == title), None)


def signup(app, settings, obs):
    """近期活动: look without a card; sign up; join a full one's waitlist; think better of leaving
    it (不取消了); the holder cancels (确定取消), the waitlisted senior moves up and is told at
    their next sign-in."""
    spy_voice(app, obs)
    settings.checkin.repeat_window_s = 0  # the same card again within seconds is meant
    screen = app.services["activities"]
    add_test_activities()
    outside_organisations(MEMBER)
    add_later_activities(3)  # a second page, to turn to

    def open_list():
        tap(home_button(app, "activities"))
        return shown(app, "activities")

    def scan():
        obs["anonymous"] = {
            "titles": [r.ids.title.text for r in screen.rows],
            "buttons": [not r.ids.button.disabled for r in screen.rows],
        }
        scan_member(app, MEMBER)
        return identified(app, "activities")

    def slide_off_sign_up():
        obs["identified_rows"] = _rows(screen)
        tap(row_of(screen, "测试报告会").ids.button, slide_off=True)
        return None

    def sign_up():
        obs["after_slide"] = _rows(screen)
        obs["button_y"] = {"before": _button_ys(screen)}
        tap(row_of(screen, "测试报告会").ids.button)
        return lambda: row_of(screen, "测试报告会").ids.mark.text != ""

    def join_waitlist():
        obs["after_sign_up"] = {"rows": _rows(screen), "news": screen.ids.news.text}
        obs["button_y"]["after_sign_up"] = _button_ys(screen)
        obs["confirm_after_sign_up"] = screen.confirm.parent is not None
        tap(row_of(screen, "测试汇演").ids.button)
        return lambda: row_of(screen, "测试汇演").ids.mark.text != ""

    def leave_waitlist():
        obs["after_waitlist"] = {"rows": _rows(screen), "news": screen.ids.news.text}
        obs["db_waitlisted"] = _registrations("测试汇演")
        tap(row_of(screen, "测试汇演").ids.button)
        return _confirm_open(screen)

    def think_better():
        obs["asked_waitlisted"] = _asked(screen)
        tap(screen.confirm.ids.no)
        return lambda: screen.confirm.parent is None

    def kept_waiting():
        obs["after_no"] = {"rows": _rows(screen), "news": screen.ids.news.text, "db": _registrations("测试汇演")}
        obs["button_y"]["after_no"] = _button_ys(screen)

    def turn_page():
        obs["news_before_turn"] = screen.ids.news.text
        tap(screen.ids.bar.ids.next)
        return lambda: screen.page == 1

    def turned():
        obs["news_after_turn"] = screen.ids.news.text

    def holder_cancels():
        scan_member(app, OTHER)
        return lambda: screen.senior is not None and screen.senior.member_no == OTHER

    def cancel():
        obs["holder_rows"] = _rows(screen)
        obs["button_y"]["holder"] = _button_ys(screen)
        tap(row_of(screen, "测试汇演").ids.button)
        return _confirm_open(screen)

    def confirm():
        obs["asked_registered"] = _asked(screen)
        obs["db_while_asked"] = _registrations("测试汇演")
        tap(screen.confirm.ids.yes)
        return lambda: row_of(screen, "测试汇演").ids.mark.text == ""

    def waitlisted_comes_back():
        obs["after_cancel"] = {"rows": _rows(screen), "news": screen.ids.news.text}
        obs["button_y"]["after_cancel"] = _button_ys(screen)
        app.go_home()
        scan_member(app, MEMBER)  # a sign-in at home: the result tells the news
        return shown(app, "result")

    def told():
        obs["result_news"] = app.result.ids.news.text
        obs["result_kind"] = app.result.kind

    def visit_again():
        scan_member(app, MEMBER)
        return identified(app, "activities")

    def told_once():
        obs["news_second_visit"] = screen.ids.news.text
        obs["rows_second_visit"] = _rows(screen)

    return [
        open_list,
        scan,
        slide_off_sign_up,
        sign_up,
        join_waitlist,
        leave_waitlist,
        think_better,
        kept_waiting,
        turn_page,
        turned,
        *open_from_home(app, "activities"),
        holder_cancels,
        cancel,
        confirm,
        waitlisted_comes_back,
        told,
        *open_from_home(app, "activities"),
        visit_again,
        told_once,
    ]


def add_later_activities(count: int) -> None:
    """`count` activities in a few days, after the test ones on the list."""
    from kiosk.store.db import write
    from kiosk.store.models import Activity, Site

    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=3)
    with write():
        for i in range(count):
            Activity.create(
                site=Site.get(),
                title=f"测试讲座{i + 1}",
                kind="report",
                place="二楼 教室",
                start=start + timedelta(hours=i),
                end=start + timedelta(hours=i + 1),
                capacity=0,
            )


def _confirm_open(screen):
    return lambda: screen.confirm.parent is not None


def _asked(screen) -> dict:
    c = screen.confirm
    return {"question": c.question, "title": c.ids.title.text, "when": c.ids.when.text}


def _button_ys(screen) -> dict:
    """Each shown row's button, by title: where it is on the window."""
    return {r.ids.title.text: r.ids.button.to_window(*r.ids.button.pos)[1] for r in screen.rows if r.ids.title.text}


def _registrations(title: str) -> list:
    from kiosk.store.models import Activity, Member, Registration

    query = (
        Registration.select(Member.member_no, Registration.status)
        .join(Member)
        .switch(Registration)
        .join(Activity)
        .where(Activity.title == title)
    )
    return sorted([r.member.member_no, r.status] for r in query)


def _rows(screen) -> list[dict]:
    return [
        {
            "title": r.ids.title.text,
            "facts": r.ids.facts.text,
            "mark": r.ids.mark.text,
            "action": r.action if not r.ids.button.disabled else "",
        }
        for r in screen.rows
    ]


def courses(app, settings, obs):
    """我的课程: a card → this term's courses, attendance and the gentle note."""
    spy_voice(app, obs)
    screen = app.services["courses"]

    def open_courses():
        tap(home_button(app, "courses"))
        return shown(app, "courses")

    def scan():
        scan_member(app, MEMBER)
        return identified(app, "courses")

    def look():
        obs["rows"] = [
            {
                "name": r.ids.course.text,
                "attended": r.ids.attended.text,
                "next": r.ids.next.text,
                "note": r.ids.note.text,
                "missed": r.missed,
            }
            for r in screen.rows
        ]
        obs["pages"] = screen.pages
        pages = []
        for _ in range(screen.pages - 1):
            screen.turn(1)
            pages.append([r.ids.note.text for r in screen.rows])
        obs["later_notes"] = pages

    return [open_courses, scan, look]


def preferences(app, settings, obs):
    """大字与声音: larger type now and at every later identification; voice off stays off."""
    spy_voice(app, obs)
    settings.checkin.repeat_window_s = 0  # the same card again within seconds is meant
    screen = app.services["settings"]

    def open_settings():
        tap(home_button(app, "settings"))
        return shown(app, "settings")

    def scan():
        scan_member(app, MEMBER)
        return identified(app, "settings")

    def large():
        obs["before"] = {
            "scale": app.theme.scale,
            "label": screen.ids.voice_on.font_size,
            "chosen": [c for c in ("normal_text", "large_text", "voice_on", "voice_off") if screen.ids[c].chosen],
        }
        tap(screen.ids.large_text)
        return lambda: app.theme.scale != 1.0

    def after_large():
        obs["after"] = {
            "scale": app.theme.scale,
            "label": screen.ids.voice_on.font_size,
            "chosen": [c for c in ("normal_text", "large_text", "voice_on", "voice_off") if screen.ids[c].chosen],
        }
        app.go_home()
        obs["home_scale"] = app.theme.scale
        scan_member(app, MEMBER)  # signing in: the result is in large type at once
        return shown(app, "result")

    def result_large():
        obs["result"] = {"scale": app.theme.scale, "word_size": app.result.ids.word.font_size}

    def scan_again():
        scan_member(app, MEMBER)
        return identified(app, "settings")

    def voice_off():
        obs["spoken_before_off"] = len(obs["spoken"])
        tap(screen.ids.voice_on)  # chosen already: nothing changes
        tap(screen.ids.voice_off)
        return lambda: not app.senior.voice

    def quiet():
        obs["voice_chosen"] = [screen.ids.voice_on.chosen, screen.ids.voice_off.chosen]
        obs["chosen_words"] = screen.ids.now.text
        obs["spoken_at_off"] = len(obs["spoken"])
        app.go_home()
        scan_member(app, MEMBER)  # signed in already: 「您已经签到了」, but silently
        return shown(app, "result")

    def silent_result():
        obs["spoken_after_off"] = len(obs["spoken"])
        obs["result_kind"] = app.result.kind
        from kiosk.store.models import Member

        m = Member.get(Member.member_no == MEMBER)
        obs["stored"] = {"large_text": m.large_text, "voice": m.voice}
        scan_member(app, "DM9999")  # the next card, still on that result: nobody's
        return lambda: app.result.kind == "unknown_card" and not app.reading.showing

    def strangers_result():
        obs["stranger"] = {"scale": app.theme.scale, "spoken": obs["spoken"][-1][0], "senior": app.senior is not None}

    return [
        open_settings,
        scan,
        large,
        after_large,
        result_large,
        *open_from_home(app, "settings"),
        scan_again,
        voice_off,
        quiet,
        silent_result,
        strangers_result,
    ]


def open_now(settings) -> None:
    """Opening hours around now, whatever the time of day the tests run at."""
    now = datetime.now()
    settings.display.open_from = (now - timedelta(hours=1)).strftime("%H:%M")
    settings.display.open_until = (now + timedelta(hours=1)).strftime("%H:%M")


def closed_now(settings) -> None:
    now = datetime.now()
    settings.display.open_from = (now + timedelta(hours=1)).strftime("%H:%M")
    settings.display.open_until = (now + timedelta(hours=2)).strftime("%H:%M")


def resting(app, settings, obs):
    """Home untouched: the attract screen at 60 s, a touch back home; outside opening hours the
    dark screen, where a card still signs in.  The panel's command is one that records what it
    is told (devices/display.py; Xvfb has no DPMS)."""
    clock = fake_clock(app)
    open_now(settings)
    told = Path(settings.kiosk.data_dir) / "panel-told"
    recorder = Path(settings.kiosk.data_dir) / "panel"
    recorder.write_text(f'#!/bin/sh\necho "$1" >> {told}\n', encoding="utf-8")
    recorder.chmod(0o700)
    app.panel = Panel(str(recorder))

    def wait_attract():
        clock.advance(settings.display.attract_after_s + 1)
        return shown(app, "attract")

    def touch_attract():
        obs["attract_texts"] = texts(app.attract)
        obs["attract_slide"] = app.attract.slide
        app.attract.advance()
        obs["attract_next_slide"] = app.attract.slide
        tap(app.attract)
        return shown(app, "home")

    def close_kiosk():
        closed_now(settings)
        clock.advance(settings.display.attract_after_s + 1)
        return shown(app, "night")

    def card_at_night():
        obs["night_texts"] = texts(app.night)
        scan_member(app, MEMBER)
        return shown(app, "result")

    def woke():
        obs["night_result"] = app.result.kind
        obs["panel"] = told.read_text(encoding="utf-8").split()

    return [wait_attract, touch_attract, close_kiosk, card_at_night, woke]


SCENARIOS = [passbook, passbook_adds_up, signup, courses, preferences, resting]


# -- the checklist of docs/senior-ui.md §2 over every senior screen -----------------------------


def walk(root, name_of=None) -> dict:
    """What the checklist needs of a widget tree: visible labels and enabled targets."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    from tests.screens.harness import _id_of, plain

    labels, buttons, classes = [], [], set()
    for w in root.walk(restrict=True):
        classes.add(type(w).__name__)
        if not visible(w):
            continue
        if isinstance(w, Label) and w.text:
            labels.append(
                {
                    "id": _id_of(root, w),
                    "text": plain(w.text),
                    "font_size": w.font_size,
                    "width": w.width,
                    "color": list(w.color),
                    "line_height": w.line_height,
                }
            )
        if isinstance(w, ButtonBehavior) and not w.disabled:
            x, y = w.to_window(*w.pos)
            buttons.append(
                {
                    "size": list(w.size),
                    "box": [x, y, x + w.width, y + w.height],
                    "text": plain(getattr(w, "text", "") or ""),
                }
            )
    return {"labels": labels, "buttons": buttons, "classes": sorted(classes)}


def checklist_all(app, settings, obs):
    """Every senior screen in each of its states, large type included, and the idle prompt."""
    clock = fake_clock(app)
    open_now(settings)
    settings.checkin.repeat_window_s = 0
    add_test_activities()

    def look(name, root=None):
        return lambda: obs.update({name: walk(root or app.screens.current_screen)})

    def go(service):
        return open_from_home(app, service)

    def scan(service, member=MEMBER):
        def step():
            scan_member(app, member)
            return identified(app, service)

        return step

    def sign_in():
        app.go_home()
        scan_member(app, "DM0002")
        return shown(app, "result")

    def choice():
        from datetime import datetime, timedelta

        from kiosk.checkin.signin import member_items
        from kiosk.store.models import Member
        from tests.screens.harness import add_open_activity, choice_shown

        app.go_home()
        # Exactly two things due whatever the time of day: one of DM0003's demo lessons may be
        # due now or not, so open activities make up the rest.
        now, c = datetime.now(), settings.checkin
        due = member_items(
            Member.get(Member.member_no == "DM0003"),
            now - timedelta(minutes=c.window_after_min),
            now + timedelta(minutes=c.window_before_min),
        )
        for title in ("重阳健步行", "太极晨练")[: max(0, 2 - len(due))]:
            add_open_activity(title)
        scan_member(app, "DM0003")
        return choice_shown(app)

    def large_type():
        from kiosk.store.db import write
        from kiosk.store.models import Member

        with write():
            Member.update(large_text=True).where(Member.member_no == "DM0004").execute()
        return None

    def idle_prompt():
        clock.advance(settings.display.idle_s - settings.display.idle_warning_s)
        return lambda: app.idle.prompt.showing

    def attract():
        app.idle.prompt.close()
        app.go_home()
        clock.advance(settings.display.attract_after_s + 1)
        return shown(app, "attract")

    def night():
        closed_now(settings)
        clock.advance(settings.display.attract_after_s + 1)
        return shown(app, "night")

    return [
        look("home"),
        *go("points"),
        look("points_prompt"),
        scan("points"),
        look("points"),
        *go("activities"),
        look("activities_anonymous"),
        scan("activities"),
        look("activities"),
        *go("courses"),
        scan("courses"),
        look("courses"),
        *go("settings"),
        scan("settings"),
        look("settings"),
        sign_in,
        look("result"),
        large_type,
        lambda: (app.go_home(), scan_member(app, "DM0004"), shown(app, "result"))[-1],
        look("result_large"),
        choice,
        look("choice"),
        *go("points"),
        scan("points", "DM0004"),
        look("points_large"),
        *go("activities"),
        scan("activities", "DM0004"),
        look("activities_large"),
        *go("courses"),
        scan("courses", "DM0004"),
        look("courses_large"),
        *go("points"),
        idle_prompt,
        lambda: obs.update(
            idle_prompt=walk(app.idle.prompt), idle_prompt_box=[*app.idle.prompt.pos, *app.idle.prompt.size]
        ),
        attract,
        look("attract"),
        night,
        look("night"),
    ]


SCENARIOS.append(checklist_all)
