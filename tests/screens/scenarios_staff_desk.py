"""UI scenarios for the front desk in staff mode (docs/design.md §4.9), run by tests/screens/harness.py: a newcomer's
ID card read on the simulated reader and registered from the form, reports exported and cards
printed to a folder, a roster imported from it, and the audit trail — real taps on the real buttons."""

import csv
from datetime import date, datetime
from pathlib import Path

from kiosk.i18n import t
from kiosk.identity import ids
from kiosk.identity.credentials import Credential
from kiosk.people import members as people
from kiosk.people import newcomers
from kiosk.staff.audit import Actor
from kiosk.store.models import Member, NewcomerCard
from tests.screens.scenarios_service import tap
from tests.screens.scenarios_staff import ADMIN, ADMIN_PIN, CLERK, button, login_steps, offers, on, pick, texts

PHONE = "13912345678"
CLERK_PIN = "1357"
COURSE = "书法（一）班"  # a demo course of the current term
EXPORT_DIR = "desk_exports"  # under the data dir: where the scenario's exports go


def newcomer_and_exports(app, settings, obs):
    """张老师 signs in; a newcomer's card is laid on the reader; registered with a phone typed on the
    keypad (a wrong one first); a card whose name could not be read is refused until staff confirm
    it; 学期考勤 exported as .xlsx and as .csv; cards printed for a course; then the audit trail, and
    logging out."""
    settings.staff.export_dir = str(Path(settings.kiosk.data_dir) / EXPORT_DIR)
    newcomers = app.staff.screens["staff_newcomers"]
    exports = app.staff.screens["staff_exports"]
    audit = app.staff.screens["staff_audit"]
    reader = app.devices.idcard_sim  # started with the app

    def lay(profile: str, name: str):
        def step():
            reader.lay(profile)
            return lambda: (
                app.screens.current == "staff_newcomers"
                and newcomers.chosen is not None
                and newcomers.chosen.name == name
                and not app.reading.showing
            )

        return step

    def lay_on_staff_home():
        # On a page that does not take cards, an unknown ID card gets the result as on home, and
        # staff are offered 「登记新学员」 over it.
        reader.lay("unknown")
        return lambda: app.screens.current == "result" and not app.reading.showing

    def register_offered():
        obs["unknown_result"] = app.result.kind
        obs["unknown_offers"] = offers(app)
        tap(button(app.staff.bar, t("staff.offer.register")))
        return lambda: (
            app.screens.current == "staff_newcomers"
            and newcomers.chosen is not None
            and newcomers.chosen.name == "马秀英"
        )

    def type_phone(digits: str) -> None:
        tap(button(newcomers.body.ids.pad, t("staff.key.clear")))
        for digit in digits:
            tap(button(newcomers.body.ids.pad, digit))

    def register() -> None:
        tap(button(newcomers.body.ids.actions, t("staff.newcomers.register")))

    def look_at_form():
        obs["form_heading"] = newcomers.body.ids.heading.text
        obs["form"] = texts(newcomers.body.ids.fields)
        obs["listed"] = [r.card.name for r in newcomers.body.ids.rows.children]
        obs["members_before"] = Member.select().count()
        type_phone(PHONE[:3])
        register()

    def right_phone():
        obs["bad_phone_message"] = newcomers.message
        obs["still_waiting"] = newcomers.chosen is not None
        obs["members_after_refusal"] = Member.select().count()
        type_phone(PHONE)
        obs["phone_shown"] = newcomers.body.ids.phone.text
        register()

    def registered():
        obs["registered"] = newcomers.registered
        obs["registered_message"] = newcomers.message
        obs["done_heading"] = newcomers.body.ids.heading.text
        obs["done_fields"] = texts(newcomers.body.ids.fields)

    def flagged_refused():
        obs["flagged_warning"] = newcomers.body.ids.flag.text
        register()
        obs["flagged_message"] = newcomers.message
        tap(newcomers.body.ids.confirm)

    def flagged_confirmed():
        register()
        obs["flagged_registered"] = newcomers.registered

    def open_exports():
        obs["flagged_message_after"] = newcomers.message
        app.staff.open("staff_home")
        return on(app, "staff_home")

    def exports_tile():
        tap(app.staff.screens["staff_home"].body.ids.exports)
        return on(app, "staff_exports")

    def export_xlsx():
        obs["usb_line"] = exports.body.ids.usb.text
        obs["params"] = {r.label: r.value for r in exports.body.ids.params.children}
        tap(exports.body.ids.export)

    def change_format():
        obs["xlsx_message"] = exports.message
        obs["xlsx_lines"] = exports.body.ids.lines.shown()
        row = next(r for r in exports.body.ids.params.children if r.label == t("staff.exports.param.format"))
        tap(row.ids.change)

    def csv_format():
        pick(t("staff.exports.format.csv"))

    def export_csv():
        tap(exports.body.ids.export)

    def next_page():
        obs["csv_message"] = exports.message
        obs["csv_title"] = exports.body.ids.lines.title
        obs["csv_lines"] = exports.body.ids.lines.shown()
        if exports.body.ids.lines.ids.pager.pages > 1:
            tap(button(exports.body.ids.lines.ids.pager, t("service.next")))

    def print_cards():
        if exports.body.ids.lines.ids.pager.pages > 1:
            obs["csv_lines"] += exports.body.ids.lines.shown()
        tap(exports.body.ids.print)

    def for_a_course():
        from kivy.core.window import Window

        from screens.staff.frame import Pick

        popup = next(w for w in Window.children if isinstance(w, Pick))
        choice = next(b for b in popup.ids.choices.children if b.text.startswith(COURSE))
        obs["print_choice"] = choice.text
        tap(choice)
        obs["printing_message"] = exports.message
        return lambda: exports.message != obs["printing_message"]

    def open_audit():
        obs["printed_message"] = exports.message
        app.staff.open("staff_home")
        return on(app, "staff_home")

    def audit_tile():
        tap(app.staff.screens["staff_home"].body.ids.audit)
        return on(app, "staff_audit")

    def log_out():
        obs["audit_rows"] = [[r.who, r.action, r.target] for r in reversed(audit.body.ids.rows.children)]
        tap(audit.ids.logout)
        return on(app, "home")

    def left_behind():
        shown = [x for s in (newcomers, exports, audit) for x in texts(s)]
        obs["left_behind"] = [x for x in shown if "马秀英" in x or PHONE[-4:] in x or "DM" in x]

    return login_steps(app, ADMIN, ADMIN_PIN) + [
        lay_on_staff_home,
        register_offered,
        look_at_form,
        right_phone,
        registered,
        lay("pua", "刘\u25a1生"),
        flagged_refused,
        flagged_confirmed,
        open_exports,
        exports_tile,
        export_xlsx,
        change_format,
        csv_format,
        export_csv,
        next_page,
        print_cards,
        for_a_course,
        open_audit,
        audit_tile,
        log_out,
        left_behind,
    ]


BAD_ROSTER = [["姓名", "性别", "手机号"], ["王桂兰", "女", "1381234"], ["赵德明", "人", "13812345678"]]
GOOD_ROSTER = [
    ["姓名", "性别", "手机号", "课程"],
    ["王桂兰", "女", "13812340001", "书法（一）班"],
    ["赵德明", "男", "13812340002", ""],
]


CARD_ID = "31010419520715002" + ids.check_char("31010419520715002")  # 钱秀英's, registered from her card


def registered_from_card(settings) -> str:
    """A member registered from her ID card at this kiosk (the 新学员 form's core call)."""
    card = Credential(method="idcard", id_number=CARD_ID, name="钱秀英", valid_to=date(2040, 1, 1))
    newcomers.remember(card, ids.id_hash(CARD_ID, bytes.fromhex(settings.security.id_hash_key)), datetime.now())
    actor = Actor.of(None, settings)
    return people.register(actor, NewcomerCard.get().id, datetime.now(), settings).member_no


def roster_import(app, settings, obs):
    """An admin imports a roster from the folder (a USB stick's stand-in): a file with wrong rows
    shows them and writes nothing; a clean one is checked, then imported on 「确认导入」; one that
    changes a name read from an ID card lists it at the check and changes it only on
    「确认导入并改名」.  A clerk cannot start an import."""
    folder = Path(settings.kiosk.data_dir) / EXPORT_DIR
    settings.staff.export_dir = str(folder)
    folder.mkdir(parents=True, exist_ok=True)
    obs["card_member"] = registered_from_card(settings)
    renaming = [["学员编号", "姓名"], [obs["card_member"], "钱秀华"]]
    for name, table in (("名单_有错.csv", BAD_ROSTER), ("名单.csv", GOOD_ROSTER), ("名单_改名.csv", renaming)):
        with (folder / name).open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(table)
    imports = app.staff.screens["staff_imports"]

    def open_imports():
        obs["members_before"] = Member.select().count()
        home = app.staff.screens["staff_home"].body.ids
        obs["admin_tile"] = home.imports.text
        tap(home.imports)
        return on(app, "staff_imports")

    def start(file: str):
        def step():
            obs.setdefault("from", imports.body.ids.folder.children[0].value)
            tap(imports.body.ids.choose)

        return [step, lambda: pick(file), lambda: pick(t("staff.exports.kind.members"))]

    def rejected():
        obs["rejected_title"] = imports.body.ids.lines.title
        obs["rejected_lines"] = imports.body.ids.lines.shown()
        obs["rejected_pending"] = imports.pending
        obs["members_after_rejection"] = Member.select().count()

    def checked():
        obs["checked_title"] = imports.body.ids.lines.title
        obs["checked_message"] = imports.message
        obs["members_after_check"] = Member.select().count()
        tap(imports.body.ids.confirm)

    def imported():
        obs["imported_title"] = imports.body.ids.lines.title
        obs["imported_message"] = imports.message
        obs["pending_after"] = imports.pending

    def renames_checked():
        obs["renames_lines"] = imports.body.ids.lines.shown()
        obs["renames_message"] = imports.message
        obs["renames_button"] = imports.body.ids.confirm.text
        obs["name_after_check"] = Member.get(Member.member_no == obs["card_member"]).name
        tap(imports.body.ids.confirm)

    def renamed():
        obs["renamed_message"] = imports.message
        obs["name_after_confirm"] = Member.get(Member.member_no == obs["card_member"]).name
        obs["button_after"] = imports.body.ids.confirm.text

    def clerk_imports():
        obs["clerk_tile"] = app.staff.screens["staff_home"].body.ids.imports.text
        app.staff.open("staff_imports")
        return on(app, "staff_imports")

    def clerk_sees():
        obs["clerk_import"] = [imports.body.ids.choose.disabled, imports.message]

    return (
        login_steps(app, ADMIN, ADMIN_PIN)
        + [open_imports]
        + start("名单_有错.csv")
        + [rejected]
        + start("名单.csv")
        + [checked, imported]
        + start("名单_改名.csv")
        + [renames_checked, renamed]
        + login_steps(app, CLERK, CLERK_PIN)
        + [clerk_imports, clerk_sees]
    )


def busy_morning(app, settings, obs):
    """A busy morning at the desk: the missing list of the fullest lesson, 补签 for its second row
    (nothing moves), another lesson's list; 学员 searched on a USB keyboard (Kivy's key events, then
    real X key presses) while a scan still reads a card; a senior's 积分兑换 of another amount,
    confirmed on one line; 打印会员卡 to a printer, then with no printer nor USB stick; and a
    newcomer's 选课 straight into the course picker with each course's day and time."""
    from kivy.core.window import Window

    from kiosk.desk import today as desk_today
    from kiosk.points import ledger
    from kiosk.programme import enrollments, terms
    from screens.staff.frame import Pick
    from screens.staff.member import AmountPad
    from tests.screens.harness import XKeyboard, press, token, type_scan

    day_page = app.staff.screens["staff_today"]
    search = app.staff.screens["staff_members"]
    page = app.staff.screens["staff_member"]
    newcomer_page = app.staff.screens["staff_newcomers"]
    people = day_page.body.ids.people
    pad = search.body.ids.pad
    actor = Actor.of(None, settings)
    initials = Member.get(Member.member_no == "DM0001").initials  # three letters: two typed, one pressed on X
    first, second, third = initials[:3]
    typed, whole = initials[:2].upper(), initials[:3].upper()

    def popup(kind=Pick):
        return next((w for w in Window.children if isinstance(w, kind)), None)

    def sign_buttons():
        return [r.ids.sign for r in reversed(people.children)]  # top down

    def open_today():
        tap(app.staff.screens["staff_home"].body.ids.day)
        return on(app, "staff_today")

    def choose_fullest():
        rows = list(reversed(day_page.body.ids.item_rows.children))
        fullest = max(rows, key=lambda r: (r.day_item.expected or 0) - r.day_item.signed)
        obs["lesson"] = fullest.day_item.item.title
        tap(fullest)

    def look_and_sign_second():
        item = day_page.chosen.item
        obs["missing_core"] = [p.name for p in desk_today.missing(item)]
        obs["rows_shown"] = [r.person.name for r in reversed(people.children)]
        obs["pages"] = day_page.body.ids.people_pager.pages
        buttons = sign_buttons()
        obs["button_ys"] = [b.to_window(b.x, b.y)[1] for b in buttons]
        obs["button_h"] = buttons[0].height
        obs["px_per_mm"] = app.theme.mm(1)
        obs["message_y"] = day_page.ids.message.to_window(0, day_page.ids.message.y)[1]
        obs["signed_name"] = people.children[-2].person.name
        obs["item_span"] = [f"{item.start:%H:%M}", f"{item.end:%H:%M}"]
        tap(buttons[1])
        return lambda: popup() is not None

    def reason():
        obs["reason_question"] = popup().question
        pick(t("today.reason.forgot_card"))
        return lambda: day_page.message != ""

    def after_sign():
        buttons = sign_buttons()
        obs["button_ys_after"] = [b.to_window(b.x, b.y)[1] for b in buttons]
        obs["rows_after"] = [r.person.name for r in reversed(people.children)]
        obs["second_after"] = [buttons[1].text, buttons[1].disabled]
        obs["sign_message"] = day_page.message
        obs["message_y_after"] = day_page.ids.message.to_window(0, day_page.ids.message.y)[1]

    def choose_other():
        other = next(r for r in day_page.body.ids.item_rows.children if r.day_item.item.title != obs["lesson"])
        obs["other_lesson"] = other.day_item.item.title
        tap(other)

    def other_list():
        obs["other_title"] = day_page.body.ids.roster_title.text
        obs["other_rows"] = [r.person.member_no for r in reversed(people.children)]
        obs["other_core"] = [p.member_no for p in desk_today.missing(day_page.chosen.item)][:10]
        app.staff.open("staff_members")
        return on(app, "staff_members")

    def key(char: str | None, expect: str):
        """One key typed by a person: the next waits until the search shows it (no sleep)."""

        def step():
            if char is None:
                press(8, 42, None)  # Backspace
            else:
                press(ord(char), 0, char, char)
            return lambda: pad.value == expect

        step.__name__ = f"key_{char or 'back'}"
        return step

    def x_key():
        obs["hits_typed"] = [r.hit.member.member_no for r in search.body.ids.hits.children]
        obs["hit_pages"] = search.body.ids.pager.pages
        keyboard = XKeyboard()
        keyboard._tap(third)
        keyboard.x11.XFlush(keyboard.display)
        return lambda: pad.value == whole

    def scan_on_search():
        obs["initials"] = whole
        obs["hits_whole"] = [r.hit.member.member_no for r in search.body.ids.hits.children]
        type_scan(token(settings, "DM0001"))
        how = t("staff.members.how")
        return lambda: not app.reading.showing and (app.screens.current != "staff_members" or search.message != how)

    def after_scan():
        obs["search_after_scan"] = pad.value
        obs["screen_after_scan"] = app.screens.current
        # A senior with a waitlist place, on the member page.
        term = terms.current_term(settings.site.code, datetime.now().date())
        full = next(c for c in terms.courses(term.id) if c.capacity and c.enrolled >= c.capacity)
        obs["waitlisted_course"] = full.name
        enrollments.enrol(actor, "DM0001", full.id, datetime.now())
        obs["balance"] = ledger.redeemable("DM0001").balance
        obs["member_name"] = Member.get(Member.member_no == "DM0001").name
        page.member_no = "DM0001"
        app.staff.open("staff_member")
        page.refresh()  # the scan opened this page already: draw it again with the waitlist place
        return on(app, "staff_member")

    def course_rows():
        lines = list(reversed(page.body.ids.courses.children))
        obs["course_rows"] = [[line.text, line.ids.act.text] for line in lines]
        tap(page.body.ids.redeem)
        return lambda: popup() is not None

    def other_amount():
        obs["redeem_question"] = popup().question
        obs["redeem_choices"] = [b.text for b in reversed(popup().ids.choices.children)]
        pick(t("staff.member.other_amount"))
        return lambda: popup(AmountPad) is not None

    def too_much():
        amount_pad = popup(AmountPad)
        for digit in str(obs["balance"] + 1):
            tap(button(amount_pad.ids.pad, digit))
        obs["ok_when_too_much"] = amount_pad.ids.ok.disabled

    def three():
        amount_pad = popup(AmountPad)
        tap(button(amount_pad.ids.pad, t("staff.key.clear")))
        tap(button(amount_pad.ids.pad, "3"))
        obs["ok_for_three"] = amount_pad.ids.ok.disabled
        tap(amount_pad.ids.ok)
        return lambda: popup() is not None

    def what_for():
        asked = popup().question
        pick(t("ledger.reason.gift"))
        return lambda: popup() is not None and popup().question != asked

    def confirm():
        obs["confirm_question"] = popup().question
        obs["confirm_buttons"] = [b.text for b in popup().ids.choices.children]
        obs["balance_before_confirm"] = ledger.redeemable("DM0001").balance
        pick(t("staff.member.redeem_yes"))
        return lambda: page.message != ""

    def print_to_printer():
        obs["redeem_message"] = page.message
        obs["balance_after"] = ledger.redeemable("DM0001").balance
        settings.staff.print_command = ["true"]  # a printer that takes every sheet
        tap(page.body.ids.print)
        obs["print_busy"] = [page.working, page.message]
        return lambda: not page.working

    def print_nowhere():
        obs["print_done"] = [page.message, page.problem]
        settings.staff.print_command = []
        obs["sheets_before"] = len(list(Path(settings.staff.export_dir).glob("*.pdf")))
        tap(page.body.ids.print)
        obs["print_nowhere"] = [page.working, page.message, page.problem]
        obs["sheets_after"] = len(list(Path(settings.staff.export_dir).glob("*.pdf")))

    def newcomer():
        card = Credential(method="idcard", id_number=CARD_ID, name="钱秀英", valid_to=date(2040, 1, 1))
        newcomers.remember(card, ids.id_hash(CARD_ID, bytes.fromhex(settings.security.id_hash_key)), datetime.now())
        app.staff.open("staff_newcomers")
        return lambda: app.screens.current == "staff_newcomers" and newcomer_page.body.ids.rows.children

    def register_newcomer():
        tap(newcomer_page.body.ids.rows.children[-1])
        tap(button(newcomer_page.body.ids.actions, t("staff.newcomers.register")))
        return lambda: newcomer_page.registered != ""

    def enrol_newcomer():
        tap(button(newcomer_page.body.ids.actions, t("staff.newcomers.enrol")))
        return lambda: popup() is not None

    def picker():
        obs["picker_screen"] = app.screens.current
        obs["picker_question"] = popup().question
        obs["picker_choices"] = [b.text for b in reversed(popup().ids.choices.children)]
        term = terms.current_term(settings.site.code, datetime.now().date())
        obs["course_slots"] = {c.name: c.slots for c in terms.courses(term.id)}
        popup().dismiss(animation=False)

    return login_steps(app, ADMIN, ADMIN_PIN) + [
        open_today,
        choose_fullest,
        look_and_sign_second,
        reason,
        after_sign,
        choose_other,
        other_list,
        key(first, first.upper()),
        key(second, typed),
        key(None, first.upper()),
        key(second, typed),
        x_key,
        scan_on_search,
        after_scan,
        course_rows,
        other_amount,
        too_much,
        three,
        what_for,
        confirm,
        print_to_printer,
        print_nowhere,
        newcomer,
        register_newcomer,
        enrol_newcomer,
        picker,
    ]


SCENARIOS = [newcomer_and_exports, roster_import, busy_morning]
