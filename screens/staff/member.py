"""One senior's page for staff: who they are, their courses, their points, and the tasks done
for them at the desk — 补签, 选课 / 退课, volunteer hours, redemptions, corrections, a new card.
Every choice is picked from a list; nothing needs Chinese typing."""

from collections.abc import Callable
from datetime import datetime

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.modalview import ModalView

from kiosk.desk import exports, today
from kiosk.i18n import t
from kiosk.identity.credentials import FLAGGED
from kiosk.people import members
from kiosk.points import ledger, passbook
from kiosk.programme import enrollments, terms
from kiosk.staff.refused import Refused
from screens import kv, present
from screens.staff.frame import Pick, StaffBody, StaffScreen

HOURS = (0.5, 1, 1.5, 2, 3, 4, 6, 8)
COURSES_PER_PAGE = 6
ENTRIES_PER_PAGE = 6


class StaffMemberScreen(StaffScreen):
    member_no = StringProperty("")

    def refresh(self) -> None:
        self.back_to = "staff_members"
        try:
            self.member = members.profile(self.member_no, datetime.now())
        except Refused:  # gone since the page was asked for
            self.member = None
        if self.member is None:
            self.title = t("staff.member.title")
            return
        self.title = t("staff.member.title_of", name=self.member.name)
        self.show_profile()
        self.show_courses()
        self.show_entries()
        if FLAGGED in self.member.name:
            self.tell(t("staff.member.name_flagged"), problem=True)

    def resume(self) -> None:
        # A senior just signed in (perhaps this one): balance and last sign-in change.
        self.refresh_keep_message()

    def show_profile(self) -> None:
        p = self.member
        self.body.ids.profile.text = t(
            "staff.member.profile",
            no=p.member_no,
            gender=p.gender or "-",
            phone=p.phone_last4 or "-",
            joined=p.joined or "-",
            issue=p.card_issue,
            balance=p.balance,
            last=p.last_sign_in.strftime("%Y-%m-%d %H:%M") if p.last_sign_in else t("staff.member.never"),
        )

    def show_courses(self) -> None:
        term = self._term()
        rows = self.body.ids.courses
        rows.clear_widgets()
        listed = enrollments.member_courses(self.member_no, term.id) if term else []
        for row in self.body.ids.course_pager.slice(listed, COURSES_PER_PAGE):
            line = CourseLine(
                text=t(f"staff.member.course_{row.status}", name=row.name, position=getattr(row, "position", 0) or "")
            )
            line.ids.act.text = t(f"staff.member.withdraw_{row.status}")  # 退课, or 取消候补 for a waitlist place
            line.ids.act.bind(on_release=lambda b, r=row: self.ask_withdraw(r))
            rows.add_widget(line)

    def show_entries(self) -> None:
        rows = self.body.ids.entries
        rows.clear_widgets()
        book = passbook.passbook(self.member_no, self.body.ids.entry_pager.page, ENTRIES_PER_PAGE)
        self.body.ids.entry_pager.pages = book.pages
        admin = self.app.staff.is_admin
        for e in book.entries:
            what = t(f"points.kind.{e.kind}")
            note = e.title.removeprefix(what).lstrip("：: ") or what  # 「积分更正　积分更正：…」 says it once
            line = CourseLine(
                text=t("staff.member.entry", at=f"{e.at:%m-%d}", what=what, amount=f"{e.amount:+d}", note=note)
            )
            line.ids.act.text = t("staff.member.reverse")
            line.ids.act.disabled = not admin or not e.reversible
            line.ids.act.opacity = 0 if line.ids.act.disabled else 1
            line.ids.act.bind(on_release=lambda b, entry=e: self.ask_reverse(entry))
            rows.add_widget(line)

    def _term(self):
        return terms.current_term(self.app.settings.site.code, datetime.now().date())

    # -- the tasks ----------------------------------------------------------------------------

    def ask_sign_in(self) -> None:
        items = [d.item for d in today.day(datetime.now())]
        if not items:
            self.tell(t("staff.today.nothing"), problem=True)
            return
        Pick().ask(
            t("staff.member.sign_what"),
            [(f"{i.start:%H:%M} {i.title}", i) for i in items],
            lambda item: Pick().ask(
                t("staff.today.why", name=self.member.name, title=item.title, span=present.span(item)),
                [(t(f"today.reason.{r}"), r) for r in today.REASONS],
                lambda reason: self._sign_in(item, reason),
            ),
        )

    def _sign_in(self, item, reason: str) -> None:
        self._do(
            lambda: today.manual_sign_in(self.app.staff.actor, self.member_no, item, reason, datetime.now()),
            lambda done: t("staff.today.signed", name=self.member.name, title=item.title, points=done.points),
        )

    def ask_enrol(self) -> None:
        term = self._term()
        if term is None:
            self.tell(t("staff.member.no_term"), problem=True)
            return
        choices = [(_course_choice(c), c.course.id) for c in terms.course_choices(self.member_no, term.id)]
        Pick().ask(t("staff.member.enrol_what"), choices, self._enrol, wide=True)

    def _enrol(self, course_id: int) -> None:
        course = terms.course_view(course_id)
        self._do(
            lambda: enrollments.enrol(self.app.staff.actor, self.member_no, course_id, datetime.now()),
            lambda done: t(
                f"staff.member.enrolled_{done.outcome}", name=course.name, position=getattr(done, "position", "") or ""
            ),
        )

    def ask_withdraw(self, row) -> None:
        Pick().ask(
            t(f"staff.member.withdraw_why_{row.status}", name=row.name),
            [(t(f"staff.member.withdraw_reason.{r}"), r) for r in WITHDRAW_REASONS],
            lambda reason: self._withdraw(row, reason),
        )

    def _withdraw(self, row, reason: str) -> None:
        self._do(
            lambda: enrollments.withdraw(
                self.app.staff.actor,
                self.member_no,
                row.course_id,
                t(f"staff.member.withdraw_reason.{reason}"),
                datetime.now(),
            ),
            lambda done: t(f"staff.member.withdrawn_{row.status}", name=row.name),
        )

    def ask_volunteer(self) -> None:
        Pick().ask(
            t("staff.member.hours_how_many"),
            [(t("staff.member.hours", hours=h), h) for h in HOURS],
            lambda hours: Pick().ask(
                t("staff.member.volunteer_what"),
                [(t(f"ledger.reason.{r}"), r) for r in ledger.VOLUNTEER_REASONS],
                lambda reason: self._volunteer(hours, reason),
            ),
        )

    def _volunteer(self, hours: float, reason: str) -> None:
        self._do(
            lambda: ledger.volunteer(self.app.staff.actor, self.member_no, hours, reason, datetime.now()),
            lambda done: t("staff.member.volunteered", hours=hours, points=done.amount),
        )

    def ask_redeem(self) -> None:
        """Only the amounts the balance covers, or another amount up to it on a number pad; then
        what for, and one line to confirm before anything is deducted."""
        offer = None

        def read():
            nonlocal offer
            offer = ledger.redeemable(self.member_no)

        if not self.attempt(read) or offer is None:
            return
        if offer.balance <= 0:
            self.tell(t("staff.member.redeem_nothing", name=self.member.name), problem=True)
            return
        choices = [(t("staff.member.points", n=n), n) for n in offer.amounts] + [(t("staff.member.other_amount"), 0)]
        Pick().ask(
            t("staff.member.redeem_how_many", balance=offer.balance),
            choices,
            lambda n: self._redeem_what(n) if n else AmountPad().ask(offer.balance, self._redeem_what),
        )

    def _redeem_what(self, amount: int) -> None:
        Pick().ask(
            t("staff.member.redeem_what", n=amount),
            [(t(f"ledger.reason.{r}"), r) for r in ledger.REDEEM_REASONS],
            lambda reason: Pick().ask(
                t("staff.member.redeem_confirm", name=self.member.name, n=amount, what=t(f"ledger.reason.{reason}")),
                [(t("staff.member.redeem_yes"), reason)],
                lambda reason: self._redeem(amount, reason),
                cancel=t("staff.member.redeem_no"),
            ),
        )

    def _redeem(self, amount: int, reason: str) -> None:
        self._do(
            lambda: ledger.redeem(self.app.staff.actor, self.member_no, amount, reason, datetime.now()),
            lambda done: t("staff.member.redeemed", name=self.member.name, n=amount, balance=done.balance),
        )

    def ask_reverse(self, entry) -> None:
        Pick().ask(
            t("staff.member.reverse_why"),
            [(t(f"ledger.reason.{r}"), r) for r in ledger.REVERSE_REASONS],
            lambda reason: self._do(
                lambda: ledger.reverse(self.app.staff.actor, entry.id, reason, datetime.now()),
                lambda done: t("staff.member.reversed", amount=f"{-entry.amount:+d}"),
            ),
        )

    def ask_reissue(self) -> None:
        Pick().ask(
            t("staff.member.reissue_why"),
            [(t(f"staff.member.reissue_reason.{r}"), r) for r in REISSUE_REASONS],
            lambda reason: self._do(
                lambda: members.reissue_card(
                    self.app.staff.actor, self.member_no, t(f"staff.member.reissue_reason.{reason}"), datetime.now()
                ),
                lambda done: t("staff.member.reissued", issue=done.card_issue),
            ),
        )

    def ask_print(self) -> None:
        print_card(self, self.member_no)

    def _do(self, action, said) -> None:
        """Run a task; on success say what was done and show the page again."""
        if self.attempt(action, lambda done: setattr(self, "_said", said(done))):
            self.refresh()
            self.tell(self._said)

    def forget(self) -> None:
        super().forget()
        self.member_no = ""
        self.member = None
        self.body.ids.profile.text = ""
        self.body.ids.courses.clear_widgets()
        self.body.ids.entries.clear_widgets()


def _course_choice(choice) -> str:
    """书法（一）班　周二 09:00-11:00　已选 12/20, and a clash with the member's own courses."""
    c = choice.course
    line = t(
        "staff.member.course_choice", name=c.name, slots=c.slots or "-", enrolled=c.enrolled, capacity=c.capacity or "∞"
    )
    return t("staff.member.course_clash", line=line, other=choice.clash) if choice.clash else line


def print_card(page: StaffScreen, member_no: str) -> None:
    """Make a member's card off the UI thread while the page says so, then say where it went in
    words — the printer, or a USB stick to print at a computer — never as a file path.  With
    neither, say what to plug in, before making anything."""
    outlet = exports.card_outlet(page.app.settings)
    if outlet is None:
        page.tell(t("staff.member.print_nowhere"), problem=True)
        return
    actor, settings = page.app.staff.actor, page.app.settings
    page.attempt_in_background(
        lambda: members.print_cards(actor, [member_no], settings, outlet.folder, datetime.now()),
        lambda done: page.tell(*_printed(outlet.kind, done)),
        t("staff.member.printing"),
    )


def _printed(kind: str, done) -> tuple[str, bool]:
    """The message after printing, and whether it tells of a problem."""
    if kind == "usb":
        return t("staff.member.saved_usb"), False
    return (t("staff.member.printed"), False) if done.printed else (t("staff.member.print_failed"), True)


WITHDRAW_REASONS = ("own_wish", "health", "moved", "schedule", "other")
REISSUE_REASONS = ("lost", "damaged", "other")


class AmountPad(ModalView):
    """Another amount of points, typed on digit keys: 确定 only for 1 up to the balance."""

    most = NumericProperty(0)
    keys = [*"123456789", "clear", "0", "back"]

    def ask(self, most: int, on_amount: Callable[[int], None]) -> None:
        self.most, self.on_amount = most, on_amount
        self.ids.pad.value = ""
        self.open(animation=False)

    def amount(self) -> int:
        return int(self.ids.pad.value or 0)

    def ok(self) -> None:
        if 1 <= self.amount() <= self.most:
            self.dismiss(animation=False)
            self.on_amount(self.amount())


class CourseLine(StaffBody):
    text = StringProperty("")


class MemberBody(StaffBody):
    pass


StaffMemberScreen.Body = MemberBody
kv.load(__name__)
