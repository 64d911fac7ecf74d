"""A UI scenario for rare characters (docs/senior-ui.md T-7), run by tests/screens/harness.py: each
demo name with a character the main font lacks, on every kind of screen, and for every visible
label the font Kivy drew each character with."""

import dataclasses
from datetime import datetime

from kiosk import demo
from kiosk.fonts import FontChain, cmap
from kiosk.store.models import Member
from tests.screens.scenarios_service import identified, open_from_home, shown, visible
from tests.screens.scenarios_staff import ADMIN, ADMIN_PIN, login_steps, on


def rare_members(settings) -> list[Member]:
    """The demo's members whose name has a character the main font (regular or bold) lacks."""
    display = settings.display
    names = [m["name"] for m in demo.read(settings.site.demo_data)["members"]]
    rare = [n for n in names if not (FontChain.covers(display.font, n) and FontChain.covers(display.font_bold, n))]
    return list(Member.select().where(Member.name.in_(rare)).order_by(Member.member_no))


def drawn(root) -> list[dict]:
    """Each visible label under `root`: its text, and each character drawn by a font without it
    (read from the runs Kivy laid out: the font in force for each piece of its markup)."""
    from kivy.uix.label import Label

    found = []
    for label in root.walk(restrict=True):
        if not isinstance(label, Label) or not label.text or not visible(label):
            continue
        label.texture_update()
        missing = [
            f"U+{ord(ch):04X} {word.options['font_name_r']}"
            for line in label._label._cached_lines
            for word in line.words
            for ch in word.text
            if not ch.isspace() and ord(ch) not in cmap(word.options["font_name_r"])
        ]
        drawn_text = "".join(w.text for line in label._label._cached_lines for w in line.words)
        found.append({"text": label.text, "drawn": drawn_text, "bold": label.bold, "missing": missing})
    return found


def rare_names(app, settings, obs):
    from tests.screens.harness import token, type_scan

    members = rare_members(settings)
    obs["names"] = [m.name for m in members]
    seen = obs.setdefault("screens", [])

    def look(kind: str):
        def step():
            screen = app.screens.current_screen
            seen.append({"kind": kind, "screen": screen.name, "labels": drawn(screen)})

        return step

    def scan(member: Member, then):
        def step():
            type_scan(token(settings, member.member_no))
            return then

        return step

    def decided() -> bool:
        # The result, or the choice when one of their courses is due beside the demo's always-due one.
        return app.screens.current in ("result", "choice") and not app.reading.showing

    steps: list = []
    for member in members:
        steps += [lambda: app.go_home() or shown(app, "home"), scan(member, decided), look("result")]
        for service in ("points", "activities", "courses"):
            steps += open_from_home(app, service)
            steps += [scan(member, identified(app, service)), look(service)]
    steps += login_steps(app, ADMIN, ADMIN_PIN)
    for member in members:
        steps += _staff_pages(app, member, look)
    return steps


def _staff_pages(app, member: Member, look) -> list:
    staff = app.staff.screens

    def page(name: str, arrange=None):
        def step():
            app.staff.open(name)
            if arrange:
                arrange(staff[name])
            return on(app, name)

        return step

    def search(screen) -> None:
        for key in member.phone_last4:
            screen.body.ids.pad.press(key)

    def member_page(screen) -> None:
        screen.member_no = member.member_no
        screen.refresh()

    def newcomer(screen) -> None:
        # An unregistered ID card with the rare name, as its read reaches this page.
        from devices.cardtext import to_credential
        from kiosk.identity import ids
        from kiosk.people import newcomers

        card = to_credential(app.devices.idcard_sim.cards["unknown"].card)
        cred = dataclasses.replace(card, name=member.name)
        key = bytes.fromhex(app.settings.security.id_hash_key)
        newcomers.remember(cred, ids.id_hash(cred.id_number, key), datetime.now())
        screen.select_latest(cred)

    return [
        page("staff_today"),
        look("staff_today"),
        page("staff_members", search),
        look("staff_members"),
        page("staff_member", member_page),
        look("staff_member"),
        page("staff_newcomers", newcomer),
        look("staff_newcomers"),
        page("staff_audit"),
        look("staff_audit"),
    ]


SCENARIOS = [rare_names]
