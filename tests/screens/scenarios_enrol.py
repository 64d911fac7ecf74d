"""An enrolment season in the real app (tests/screens/test_enrol.py): a QR card at home during the
season → the result offers 「报名选课」 → the course cards → 报名 (a fact, the screen and the voice
say it) → an age-limited course asks for the ID card → the demo's ID card laid (the real reader
simulator: its birth date) → 报名; then the draw's result told once at the next card read."""

from datetime import datetime

from kiosk.enrolment import demo as enrol_demo
from kiosk.i18n import t
from tests.screens.scenarios_service import scan_member, spy_voice, tap, texts, visible

MEMBER = "DM0001"  # the demo's resident ID card is theirs (born 1949: over 75 on the term's first day)
F2 = 283  # the demo's resident ID card


def _rows(screen) -> list[dict]:
    return [
        {
            "title": row.ids.title.text,
            "mark": row.ids.mark.text,
            "when": row.ids.when.text,
            "where": row.ids.where.text,
            "action": row.action,
            "fits": all(
                lbl.texture_size[0] <= lbl.width + 1
                for lbl in (row.ids.title, row.ids.when, row.ids.where, row.ids.mark)
            ),
        }
        for row in screen.rows
        if row.ids.title.text and visible(row) and row.height > 0
    ]


def _row(screen, title: str):
    return next(r for r in screen.rows if r.ids.title.text == title)


def _facts() -> list[dict]:
    import json

    from kiosk.store.models import Outbox

    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == "application").order_by(Outbox.seq)]


def enrol_flow(app, settings, obs):
    from tests.screens.harness import press, result_shown

    spy_voice(app, obs)
    screen = app.services["enrol"]
    enrol_demo.publish(settings, datetime.now())

    def scan():
        scan_member(app, MEMBER)
        return result_shown(app)

    def offered():
        obs["offer"] = {"shown": visible(app.result.ids.yes), "text": app.result.ids.yes.text, "kind": app.result.kind}
        tap(app.result.ids.yes)
        return lambda: app.screens.current == "enrol" and screen.senior is not None

    def cards():
        obs["cards"] = _rows(screen)
        obs["news"] = screen.ids.news.text
        tap(_row(screen, "书法（一）班").ids.button)
        return lambda: "书法（一）班" in screen.ids.news.text

    def applied():
        obs["applied"] = {"news": screen.ids.news.text, "rows": _rows(screen), "facts": _facts()}
        tap(_row(screen, "太极拳（二）班").ids.button)  # 60-75: a QR card carries no birth date
        return lambda: "身份证" in screen.ids.news.text

    def asked_for_id():
        obs["asked_for_id"] = screen.ids.news.text
        press(F2, 59, None)  # the demo's ID card on the reader: the same senior, now with a birth date
        return lambda: _row(screen, "太极拳（二）班").ids.mark.text != obs["cards"][1]["mark"]

    def with_id_card():
        obs["with_id_card"] = _rows(screen)
        tap(_row(screen, "国画（一）班").ids.button)  # 65 and over: the ID card says she is
        return lambda: len(_facts()) == 2

    def second():
        obs["second"] = {"news": screen.ids.news.text, "facts": _facts()}
        tap(screen.ids.next)
        return lambda: screen.page == 1

    def third():
        obs["page2"] = _rows(screen)
        tap(_row(screen, "合唱（一）班").ids.button)  # a third: at most 2
        return lambda: "最多" in screen.ids.news.text

    def too_many():
        obs["too_many"] = screen.ids.news.text
        obs["texts"] = texts(screen)
        tap(screen.ids.prev)
        return lambda: screen.page == 0

    def withdraw():
        tap(_row(screen, "书法（一）班").ids.button)  # 取消报名: asks first
        return lambda: screen.confirm.parent is not None

    def asked():
        c = screen.confirm
        obs["asked"] = {"question": c.question, "title": c.ids.title.text, "when": c.ids.when.text}
        obs["asked_texts"] = texts(c)
        tap(c.ids.no)  # 不取消了
        return lambda: screen.confirm.parent is None

    def kept():
        obs["kept"] = {"facts": len(_facts()), "rows": _rows(screen)}
        tap(_row(screen, "书法（一）班").ids.button)
        return lambda: screen.confirm.parent is not None

    def confirmed():
        tap(screen.confirm.ids.yes)  # 确定取消
        return lambda: len(_facts()) == 3

    def withdrawn():
        obs["withdrawn"] = {"news": screen.ids.news.text, "rows": _rows(screen), "fact": _facts()[-1]}
        app.go_home()
        return lambda: app.screens.current == "home"

    def draw():
        from kiosk.store.db import write
        from kiosk.store.models import Season
        from kiosk.sync import apply
        from kiosk.sync.apply import Here

        now = datetime.now()
        obs["home_texts_clean"] = not any("书法" in x for x in texts(screen))
        data = {
            "kind": "result",
            "season": "demo",
            "courses": [
                {
                    "course": "e1",
                    "title": "书法（一）班",
                    "status": "won",
                    "rank": 2,
                    "waitlist_position": None,
                    "refusal": "",
                },
                {
                    "course": "e3",
                    "title": "国画（一）班",
                    "status": "waitlisted",
                    "rank": 40,
                    "waitlist_position": 3,
                    "refusal": "",
                },
            ],
        }
        with write():
            here = Here(settings.site.code, settings.kiosk.id, now)
            apply.item("items", {"rev": 1, "id": f"result:demo:{MEMBER}", "op": "put", "data": data, "crc": 0}, here)
            Season.update(drawn=True).where(Season.key == "demo").execute()  # as the season item says after the draw
        app.reception.checkin._recent.clear()  # as if the repeat window had passed
        scan_member(app, MEMBER)
        return result_shown(app)

    def told_once():
        from kiosk.store.models import DrawResult

        obs["told"] = {
            "news": app.result.ids.news.text,
            "offer": visible(app.result.ids.yes),
            "held": [(r.member_no, r.told_at is not None) for r in DrawResult.select()],
        }
        app.go_home()
        app.reception.checkin._recent.clear()
        scan_member(app, MEMBER)
        return lambda: app.screens.current == "result" and not app.reading.showing

    def not_again():
        obs["again_news"] = app.result.ids.news.text

    return [
        scan,
        offered,
        cards,
        applied,
        asked_for_id,
        with_id_card,
        second,
        third,
        too_many,
        withdraw,
        asked,
        kept,
        confirmed,
        withdrawn,
        draw,
        told_once,
        not_again,
    ]


def proxy_flow(app, settings, obs):
    """代为报名 in staff mode: a card read on 工作人员 home during the season → 「代为报名」 over its
    result → a reason and the staff's own PIN again (a wrong one first: refused, counted) → the
    senior's course cards → 报名 in the staff's name; 返回首页 back to the staff page."""
    from kiosk.store.models import Audit, Staff
    from tests.screens.harness import result_shown
    from tests.screens.scenarios_staff import ADMIN, ADMIN_PIN, button, login_steps, offers, on

    proxy = app.staff.screens["staff_proxy"]
    screen = app.services["enrol"]
    enrol_demo.publish(settings, datetime.now())

    def pin(digits: str) -> None:
        for digit in digits:
            tap(button(proxy.body.ids.pad, digit))
        tap(proxy.body.ids.ok)

    def card():
        scan_member(app, MEMBER)
        return result_shown(app)

    def offered():
        obs["offers"] = offers(app)
        tap(button(app.staff.bar, t("season.proxy")))
        return on(app, "staff_proxy")

    def no_reason():
        obs["page"] = {"title": proxy.title, "who": proxy.body.ids.who.text, "message": proxy.message}
        obs["reasons"] = [b.text for b in reversed(proxy.body.ids.reasons.children)]
        pin(ADMIN_PIN)  # no reason tapped yet
        return lambda: proxy.problem

    def wrong_pin():
        obs["no_reason"] = proxy.message
        tap(button(proxy.body.ids.reasons, t("season.proxy_reasons.family")))
        pin("9999")
        return lambda: "密码不对" in proxy.message

    def right_pin():
        obs["wrong"] = {
            "message": proxy.message,
            "screen": app.screens.current,
            "failures": Staff.get(Staff.name == ADMIN).failures,
            "chosen": [b.text for b in reversed(proxy.body.ids.reasons.children) if b.text.startswith("✓")],
        }
        pin(ADMIN_PIN)
        return lambda: app.screens.current == "enrol" and screen.senior is not None

    def cards():
        obs["enrol"] = {"who": screen.ids.header.who, "rows": _rows(screen)}
        obs["failures_after"] = Staff.get(Staff.name == ADMIN).failures
        tap(_row(screen, "书法（一）班").ids.button)
        return lambda: "书法（一）班" in screen.ids.news.text

    def applied():
        obs["applied"] = {"news": screen.ids.news.text, "facts": _facts()}
        obs["audit"] = [
            (a.action, a.staff_name, a.target, a.reason)
            for a in Audit.select().where(Audit.action.startswith("season.")).order_by(Audit.id)
        ]
        obs["logins"] = Audit.select().where(Audit.action == "staff.login").count()
        tap(screen.ids.home)
        return on(app, "staff_home")

    def back():
        obs["back"] = {"screen": app.screens.current, "senior": app.senior is not None, "proxy": app.proxy is not None}

    return login_steps(app, ADMIN, ADMIN_PIN) + [card, offered, no_reason, wrong_pin, right_pin, cards, applied, back]


def print_flow(app, settings, obs):
    """报名 with the receipt printer on ([printer] enabled, device "simulator": the demo's printer on
    a pty, driven by the real driver on the real printing thread): the slip comes out; then its
    paper runs out: 报名 on another course is filed all the same, the screen says why no slip
    comes and to ask staff, the status corner and the doctor say 缺纸; the senior goes on (取消报名,
    报名 again, told at once now that the printer is known to be out of paper)."""
    import base64

    from kiosk import printing
    from kiosk.doctor import devices as doctor_devices
    from kiosk.store.models import Member
    from tests.screens.harness import result_shown, token

    sim = app.devices.printer_sim  # started with the app, as the demo starts it
    screen = app.services["enrol"]
    enrol_demo.publish(settings, datetime.now())
    obs["member"] = {"name": Member.get(Member.member_no == MEMBER).name, "card": token(settings, MEMBER)}

    def corner() -> str:
        line = app.home.ids.status.lines.get("printer")
        return line.text if line is not None else ""

    def health() -> dict:
        found = printing.health()
        doctor = doctor_devices.printer(settings, [found] if found else [])
        return {
            "state": printing.state(),
            "corner": corner(),
            "doctor": {"state": doctor.state, "detail": doctor.detail, "fix": doctor.fix},
        }

    def seen(**more) -> dict:
        return {
            "news": screen.ids.news.text,
            "screen": app.screens.current,
            "facts": _facts(),
            "slips": len(sim.slips),
            "received": base64.b64encode(bytes(sim.received)).decode("ascii"),
            **health(),
            **more,
        }

    def looked():  # the printing thread's first look at the printer
        return lambda: printing.health() is not None and printing.health().connected

    def scan():
        obs["before"] = health()
        scan_member(app, MEMBER)
        return result_shown(app)

    def offered():
        tap(app.result.ids.yes)
        return lambda: app.screens.current == "enrol" and screen.senior is not None

    def apply_printed():
        tap(_row(screen, "书法（一）班").ids.button)
        obs["said_at_once"] = screen.ids.news.text  # the tap's handler did not wait for the printer
        return lambda: len(sim.slips) == 1 and printing.health().reads == 1

    def printed():
        obs["printed"] = seen()
        sim.paper = "out"  # the roll runs out; the printer thread has not looked since
        tap(screen.ids.next)
        return lambda: screen.page == 1

    def apply_paper_out():
        tap(_row(screen, "合唱（一）班").ids.button)
        obs["paper_out_at_once"] = seen()
        # The slip refused: the corner shows it, from the same word of the printer's thread as the screen.
        return lambda: printing.state() == "paper_out" and t("device.paper_out") in corner()

    def refused():
        obs["paper_out"] = seen(button=_row(screen, "合唱（一）班").action)
        tap(_row(screen, "合唱（一）班").ids.button)  # 取消报名: the senior goes on
        return lambda: screen.confirm.parent is not None

    def confirmed():
        tap(screen.confirm.ids.yes)
        return lambda: len(_facts()) == 3

    def withdrawn():
        obs["withdrawn"] = seen()
        tap(_row(screen, "合唱（一）班").ids.button)  # 报名 again: the printer is known to be out of paper
        obs["known_out"] = seen()
        return lambda: printing.health().faults == 2  # its slip refused too

    def after():
        obs["after"] = seen()

    return [looked, scan, offered, apply_printed, printed, apply_paper_out, refused, confirmed, withdrawn, after]


SCENARIOS = [enrol_flow, proxy_flow, print_flow]
