"""UI scenario for spending points (docs/design.md §4.5, §4.9), run by tests/screens/harness.py: a
senior's 「我的积分能换什么」 on 我的积分, 「我要兑换」 and its question, then staff's 兑换领取 —
领取 and 退回 — with real taps on the real buttons."""

from kiosk.i18n import t
from tests.screens.scenarios_service import home_button, identified, scan_member, shown, tap, texts
from tests.screens.scenarios_staff import ADMIN, ADMIN_PIN, button, login_steps, on, pick

MEMBER = "DM0001"  # 谢素珍: 34 points in the demo, and the demo's catalogue (config/demo/site.toml)


def redeem(app, settings, obs):
    screen = app.services["points"]
    page = app.staff.screens["staff_redemptions"]

    def open_points():
        tap(home_button(app, "points"))
        return shown(app, "points")

    def scan():
        scan_member(app, MEMBER)
        return identified(app, "points")

    def to_catalogue():
        obs["balance"] = screen.balance
        obs["passbook_extra"] = screen.ids.bar.extra_text
        tap(screen.ids.bar.ids.extra)
        return lambda: screen.offering

    def ask():
        obs["catalogue"] = texts(screen)
        obs["offers"] = [(v.name, v.points) for v in screen._offered.values()]
        tap(button(screen.ids.offers, t("catalogue.ask")))  # the first row's: the cheapest
        return lambda: screen.confirm.parent is not None

    def confirm():
        obs["question"] = texts(screen.confirm)
        tap(screen.confirm.ids.yes)
        return lambda: screen.confirm.parent is None and screen.ids.news.text

    def after():
        obs["news"] = screen.ids.news.text
        obs["after"] = texts(screen)
        obs["buttons_after"] = len(screen._offered)

    def open_page():
        tap(app.staff.screens["staff_home"].body.ids.redemptions)
        return on(app, "staff_redemptions")

    def give():
        obs["listed"] = texts(page)
        row = next(r for r in page.body.ids.open_rows.children if r.view.member_no == MEMBER)
        tap(row.ids.give)
        return lambda: _pick_open()

    def yes():
        pick(t("staff.redemptions.give_yes", points=20))
        return lambda: page.message and not _pick_open()

    def take_back():
        obs["given"] = page.message
        row = next(r for r in page.body.ids.handed_rows.children if r.view.member_no == MEMBER)
        tap(row.ids.cancel)
        return lambda: _pick_open()

    def reason():
        pick(t("redemption.reason.wrong_item"))
        return lambda: "退回" in page.message

    def done():
        obs["taken_back"] = page.message
        obs["handed_after"] = len(page.body.ids.handed_rows.children)

    staff = login_steps(app, ADMIN, ADMIN_PIN)
    return [
        open_points,
        scan,
        to_catalogue,
        ask,
        confirm,
        after,
        *staff,
        open_page,
        give,
        yes,
        *[lambda: None] * 2,
        take_back,
        reason,
        done,
    ]  # rows laid out


def _pick_open() -> bool:
    from kivy.core.window import Window

    from screens.staff.frame import Pick

    return any(isinstance(w, Pick) for w in Window.children)


SCENARIOS = [redeem]
