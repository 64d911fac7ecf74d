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
        return lambda: not app.reading.showing and app.screens.current == "staff_members" and members.message

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
        look,
    ]


def card_opens_member(app, settings, obs):
    from tests.screens.harness import token, type_scan

    def scan():
        app.staff.open("staff_members")
        type_scan(token(settings, MEMBER))
        return on(app, "staff_member")

    def look():
        obs["title"] = app.staff.screens["staff_member"].title

    return login_steps(app, ADMIN, ADMIN_PIN) + [scan, look]


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


SCENARIOS = [lockout, day, idle_logout, member_tasks, card_opens_member, storage_low]
