"""UI scenarios for staff mode (docs/design.md §4.9, §9.4), run by tests/screens/harness.py: the PIN pad and lockout,
auto-logout, Today with 补签, and a senior's page — real taps on the real buttons."""

from kiosk.i18n import t
from kiosk.store.models import Member, Staff
from tests.screens.scenarios_service import FakeClock, tap

ADMIN, ADMIN_PIN = "张老师", "2580"
CLERK = "李干事"
MEMBER = "DM0001"


def texts(widget) -> list[str]:
    """Every text in the widget tree."""
    found = [widget.text] if getattr(widget, "text", "") else []
    for child in widget.children:
        found += texts(child)
    return found


def button(root, text: str):
    """The visible button under `root` that says `text`."""
    from kivy.uix.behaviors import ButtonBehavior

    stack = [root]
    while stack:
        w = stack.pop()
        if isinstance(w, ButtonBehavior) and getattr(w, "text", None) == text and w.opacity > 0 and not w.disabled:
            return w
        stack += w.children
    raise LookupError(text)


def on(app, name: str):
    return lambda: app.screens.current == name


def login_steps(app, name: str, pin: str, then: str = "staff_home") -> list:
    """Home → 工作人员 → the name → the PIN on the pad → 确定."""
    login = app.staff.screens["staff_login"]

    def home():
        app.go_home()
        return on(app, "home")

    def enter():
        tap(app.home.ids.staff)
        return on(app, "staff_login")

    def name_and_pin():
        tap(button(login.body.ids.names, name))
        for digit in pin:
            tap(button(login.body.ids.pad, digit))
        tap(login.body.ids.ok)
        return on(app, then) if then else None

    return [home, enter, name_and_pin]


def pick(reason_label: str):
    """Tap the choice of the open Pick pop-up."""
    from kivy.core.window import Window

    from screens.staff.frame import Pick

    popup = next(w for w in Window.children if isinstance(w, Pick))
    tap(button(popup.ids.choices, reason_label))


def lockout(app, settings, obs):
    login = app.staff.screens["staff_login"]
    messages = obs.setdefault("messages", [])
    steps = login_steps(app, CLERK, "9999", then="")

    def wrong_again():
        messages.append(login.message)
        obs["names"] = [(type(b).__name__, b.text) for b in reversed(login.body.ids.names.children)]
        for digit in "9999":
            tap(button(login.body.ids.pad, digit))
        tap(login.body.ids.ok)

    def right_pin_while_locked():
        messages.append(login.message)
        for digit in "1357":
            tap(button(login.body.ids.pad, digit))
        tap(login.body.ids.ok)

    def look():
        obs["after_right_pin"] = login.message
        obs["screen"] = app.screens.current
        clerk = Staff.get(Staff.name == CLERK)
        obs["failures"], obs["lockouts"] = clerk.failures, clerk.lockouts
        obs["locked"] = clerk.locked_until is not None

    return steps + [wrong_again] * 4 + [right_pin_while_locked, look]


def day(app, settings, obs):
    today_screen = app.staff.screens["staff_today"]

    def open_today():
        tap(app.staff.screens["staff_home"].body.ids.day)
        return on(app, "staff_today")

    def choose_lesson():
        row = next(
            r
            for r in today_screen.body.ids.item_rows.children
            if r.day_item.expected and r.day_item.signed < r.day_item.expected
        )
        obs["title"] = row.day_item.item.title
        obs["before"] = [row.day_item.signed, row.day_item.expected]
        tap(row)

    def sign_first_missing():
        person_row = today_screen.body.ids.people.children[-1]  # the first row on screen
        obs["member_no"] = person_row.person.member_no
        tap(person_row.ids.sign)

    def reason():
        pick(t("today.reason.forgot_card"))

    def look():
        obs["message"] = today_screen.message
        chosen = today_screen.chosen
        obs["after"] = [chosen.signed, chosen.expected]
        obs["marked"] = [r.person.member_no for r in today_screen.body.ids.people.children if r.signed_at]

    return login_steps(app, ADMIN, ADMIN_PIN) + [open_today, choose_lesson, sign_first_missing, reason, look]


def idle_logout(app, settings, obs):
    clock = FakeClock()

    def fake_time():
        app.clock = clock
        app.staff.timer.touch(clock())

    def member_page():
        app.staff.screens["staff_member"].member_no = MEMBER
        app.staff.open("staff_member")
        return on(app, "staff_member")

    def almost_two_minutes():
        obs["name_shown"] = any(
            Member.get(Member.member_no == MEMBER).name in x for x in texts(app.staff.screens["staff_member"])
        )
        clock.advance(settings.staff.idle_s - settings.staff.idle_warning_s + 1)
        return lambda: app.staff.prompt.showing

    def carry_on():
        obs["warning"] = app.staff.prompt.countdown
        tap(app.staff.prompt.ids.more)
        return lambda: not app.staff.prompt.showing

    def still_in():
        obs["after_continue"] = app.screens.current
        clock.advance(settings.staff.idle_s + 1)
        return on(app, "home")

    def look():
        name = Member.get(Member.member_no == MEMBER).name
        obs["left_behind"] = [x for s in app.staff.screens.values() for x in texts(s) if name in x]
        obs["staff"] = app.staff.actor is not None

    return (
        [fake_time] + login_steps(app, ADMIN, ADMIN_PIN) + [member_page, almost_two_minutes, carry_on, still_in, look]
    )


def member_tasks(app, settings, obs):
    from tests.screens.harness import token, type_scan

    members = app.staff.screens["staff_members"]
    page = app.staff.screens["staff_member"]
    member = Member.get(Member.member_no == MEMBER)

    def open_search():
        tap(app.staff.screens["staff_home"].body.ids.members)
        return on(app, "staff_members")

    def type_initials():
        for key in member.initials.upper():
            tap(button(members.body.ids.pad, key))

    def open_hit():
        obs["hits"] = [r.hit.member.member_no for r in members.body.ids.hits.children]
        row = next(r for r in members.body.ids.hits.children if r.hit.member.member_no == MEMBER)
        tap(row)
        return on(app, "staff_member")

    def volunteer():
        tap(page.body.ids.volunteer)

    def two_hours():
        pick(t("staff.member.hours", hours=2))

    def library():
        pick(t("ledger.reason.library"))

    def redeem():
        obs["volunteer_message"] = page.message
        tap(page.body.ids.redeem)

    def ten():
        pick(t("staff.member.points", n=10))

    def gift():
        pick(t("ledger.reason.gift"))

    def confirm():
        pick(t("staff.member.redeem_yes"))

    def reissue():
        obs["redeem_message"] = page.message
        tap(page.body.ids.reissue)

    def lost():
        pick(t("staff.member.reissue_reason.lost"))

    def old_card_in_staff_mode():
        obs["reissue_message"] = page.message
        app.staff.open("staff_members")
        type_scan(token(settings, MEMBER))  # the old card, read on the search page
        return lambda: not app.reading.showing and app.screens.current == "result"

    def back_from_result():
        obs["old_card_kind"] = app.result.kind
        tap(app.result.ids.home)
        return on(app, "staff_members")

    def look():
        obs["old_card_message"] = members.message

    return login_steps(app, ADMIN, ADMIN_PIN) + [
        open_search,
        type_initials,
        open_hit,
        volunteer,
        two_hours,
        library,
        redeem,
        ten,
        gift,
        confirm,
        reissue,
        lost,
        old_card_in_staff_mode,
        back_from_result,
        look,
    ]


def offers(app) -> list[str]:
    """What the staff's bar over the result offers, as drawn (nothing when it is hidden)."""
    bar = app.staff.bar
    return [b.text for b in reversed(bar.ids.buttons.children)] if bar.showing and bar.opacity else []


def card_signs_in(app, settings, obs):
    """Staff mode does not stop the queue: on 学员查询 with a search typed, a senior's card signs
    them in with the result as on home and the staff's offer; 「打开学员资料」 opens their page.
    Then a card dismissed with 返回首页 (back to the search as it was), and on 今日签到 with a
    补签 pop-up open, a card whose result times out (back to the lesson, page and pop-up)."""
    from tests.screens.harness import observe_result, result_shown, token, type_scan

    members = app.staff.screens["staff_members"]
    today_screen = app.staff.screens["staff_today"]
    second, third = "DM0002", "DM0003"

    def open_search():
        tap(app.staff.screens["staff_home"].body.ids.members)
        return on(app, "staff_members")

    def type_initials():
        for key in "XS":
            tap(button(members.body.ids.pad, key))
        obs["search"] = [members.body.ids.pad.value, [r.hit.member.member_no for r in members.body.ids.hits.children]]
        obs["staff_since"] = app.staff.timer.since

    def scan_first():
        type_scan(token(settings, MEMBER))
        return result_shown(app)

    def open_record():
        result = obs.setdefault("first", {})
        observe_result(app, result)
        result["offers"] = offers(app)
        result["scale"] = app.theme.scale
        obs["staff_since_after_card"] = app.staff.timer.since  # a senior's card is not staff at work
        tap(button(app.staff.bar, t("staff.offer.member")))
        return on(app, "staff_member")

    def back_to_search():
        obs["member_title"] = app.staff.screens["staff_member"].title
        obs["offers_after"] = offers(app)
        tap(app.staff.screens["staff_member"].ids.back)
        return on(app, "staff_members")

    def type_again():
        for key in "XS":
            tap(button(members.body.ids.pad, key))

    def scan_second():
        type_scan(token(settings, second))
        return result_shown(app)

    def dismiss():
        obs["second"] = {"offers": offers(app), "screen": app.screens.current}
        tap(app.result.ids.home)
        return on(app, "staff_members")

    def same_search():
        obs["search_after"] = [
            members.body.ids.pad.value,
            [r.hit.member.member_no for r in members.body.ids.hits.children],
        ]
        obs["staff_after_visit"] = app.staff.actor is not None
        tap(app.staff.screens["staff_members"].ids.back)
        return on(app, "staff_home")

    def open_today():
        tap(app.staff.screens["staff_home"].body.ids.day)
        return on(app, "staff_today")

    def lesson_and_pop_up():
        row = next(r for r in today_screen.body.ids.item_rows.children if r.day_item.expected)
        tap(row)
        pager = today_screen.body.ids.people_pager
        if pager.pages > 1:
            tap(button(pager, t("service.next")))
        person_row = today_screen.body.ids.people.children[-1]
        tap(person_row.ids.sign)
        obs["today_before"] = _today_state(today_screen)

    def scan_third():
        settings.display.result_timeout_s = 1  # the result's own way back, without waiting 12 s
        type_scan(token(settings, third))
        shown = result_shown(app)

        def seen() -> bool:
            # Looked at in the frame the result appears: on a busy machine the second it shows
            # for may be over before the next step runs.
            if not shown():
                return False
            obs["third"] = {"offers": offers(app), "pop_up_over_result": _pop_up_open()}
            return True

        return seen

    def time_out():
        return on(app, "staff_today")

    def look():
        obs["today_after"] = _today_state(today_screen)
        obs["pop_up_after"] = _pop_up_open()
        obs["offers_on_page"] = offers(app)
        pick(t("today.reason.forgot_card"))  # the pop-up still works: 补签 for the row it was for

    def signed():
        obs["today_message"] = today_screen.message

    return login_steps(app, ADMIN, ADMIN_PIN) + [
        open_search,
        type_initials,
        scan_first,
        open_record,
        back_to_search,
        type_again,
        scan_second,
        dismiss,
        same_search,
        open_today,
        lesson_and_pop_up,
        scan_third,
        time_out,
        look,
        signed,
    ]


def card_while_staff_idle(app, settings, obs):
    """Staff left the kiosk on 学员查询: the log-out warning is up when a senior's card is read. No
    warning covers the senior's result; the idle minutes run out under it and staff mode ends
    quietly; the result stays, then the kiosk goes home."""
    from tests.screens.harness import result_shown, token, type_scan

    clock = FakeClock()
    members = app.staff.screens["staff_members"]

    def fake_time():
        app.clock = clock
        app.staff.timer.touch(clock())

    def search():
        app.staff.open("staff_members")
        for key in "XS":
            tap(button(members.body.ids.pad, key))
        clock.advance(settings.staff.idle_s - settings.staff.idle_warning_s + 1)
        return lambda: app.staff.prompt.showing

    def scan():
        type_scan(token(settings, MEMBER))
        return result_shown(app)

    def idle_out():
        obs["warning_over_result"] = app.staff.prompt.showing
        clock.advance(settings.staff.idle_warning_s)
        return lambda: app.staff.actor is None

    def home():
        obs["screen_when_out"] = app.screens.current
        obs["offers_when_out"] = offers(app)
        obs["search_left"] = members.body.ids.pad.value
        tap(app.result.ids.home)
        return on(app, "home")

    return [fake_time] + login_steps(app, ADMIN, ADMIN_PIN) + [search, scan, idle_out, home]


def card_on_exports(app, settings, obs):
    """报表导出 wants a member for 单个学员: a card read there signs the senior in and offers staff
    「导出这位学员的记录」, which goes back to the page with the member chosen."""
    from tests.screens.harness import result_shown, token, type_scan

    exports = app.staff.screens["staff_exports"]

    def open_exports():
        tap(app.staff.screens["staff_home"].body.ids.exports)
        return on(app, "staff_exports")

    def scan():
        type_scan(token(settings, MEMBER))
        return result_shown(app)

    def take_offer():
        obs["kind"] = app.result.kind
        obs["offers"] = offers(app)
        tap(button(app.staff.bar, t("staff.offer.export")))
        return on(app, "staff_exports")

    def look():
        obs["report"] = exports.report
        obs["member"] = exports.member.member_no if exports.member else ""
        obs["message"] = exports.message
        obs["scale"] = app.theme.scale

    return login_steps(app, ADMIN, ADMIN_PIN) + [open_exports, scan, take_offer, look]


def _today_state(screen) -> dict:
    return {
        "chosen": screen.chosen.item.title if screen.chosen else "",
        "page": screen.body.ids.people_pager.page,
        "people": [r.person.member_no for r in screen.body.ids.people.children],
    }


def _pop_up_open() -> bool:
    from kivy.core.window import Window

    from screens.staff.frame import Pick

    return any(isinstance(w, Pick) for w in Window.children)


def storage_low(app, settings, obs):
    """The upkeep thread's first look at the disk at start, then a disk with less free space than
    the threshold (a threshold above what the disk has): staff home says so."""
    from datetime import datetime

    def first_look():
        return lambda: app.upkeep.reported == "ok"

    def little_space():
        settings.storage.low_free_mb = 10**9
        app.upkeep.check_space(datetime.now())

    def look():
        obs["notice"] = app.staff.screens["staff_home"].body.ids.storage.text

    return [first_look, little_space] + login_steps(app, ADMIN, ADMIN_PIN) + [look]


SCENARIOS = [
    lockout,
    day,
    idle_logout,
    member_tasks,
    card_signs_in,
    card_while_staff_idle,
    card_on_exports,
    storage_low,
]
