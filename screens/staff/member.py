"""One senior's page for staff: who they are, their courses, their points, and the tasks done
for them at the desk — 补签, 选课 / 退课, volunteer hours, redemptions, corrections, a new card.
Every choice is picked from a list; nothing needs Chinese typing."""

from datetime import datetime

from kivy.properties import StringProperty

from kiosk.desk import exports, today
from kiosk.i18n import t
from kiosk.identity.credentials import FLAGGED
from kiosk.people import members
from kiosk.points import ledger, passbook
from kiosk.programme import enrollments, terms
from kiosk.staff.refused import Refused
from screens import kv
from screens.staff.frame import Pick, StaffBody, StaffScreen

HOURS = (0.5, 1, 1.5, 2, 3, 4, 6, 8)
AMOUNTS = (5, 10, 20, 30, 50, 100, 200)
COURSES_PER_PAGE = 4
ENTRIES_PER_PAGE = 4


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
            line.ids.act.text = t("staff.member.withdraw")
            line.ids.act.bind(on_release=lambda b, r=row: self.ask_withdraw(r))
            rows.add_widget(line)

    def show_entries(self) -> None:
        rows = self.body.ids.entries
        rows.clear_widgets()
        book = passbook.passbook(self.member_no, self.body.ids.entry_pager.page, ENTRIES_PER_PAGE)
        self.body.ids.entry_pager.pages = book.pages
        admin = self.app.staff.is_admin
        for e in book.entries:
            line = CourseLine(
                text=t(
                    "staff.member.entry",
                    at=e.at.strftime("%Y-%m-%d"),
                    what=t(f"points.kind.{e.kind}"),
                    amount=f"{e.amount:+d}",
                    note=e.title,
                )
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
                t("staff.today.why", name=self.member.name),
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
        choices = [(f"{c.name}（{c.enrolled}/{c.capacity or '∞'}）", c.id) for c in terms.courses(term.id)]
        Pick().ask(t("staff.member.enrol_what"), choices, self._enrol)

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
            t("staff.member.withdraw_why", name=row.name),
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
            lambda done: t("staff.member.withdrawn", name=row.name),
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
        Pick().ask(
            t("staff.member.redeem_how_many"),
            [(t("staff.member.points", n=n), n) for n in AMOUNTS],
            lambda n: Pick().ask(
                t("staff.member.redeem_what"),
                [(t(f"ledger.reason.{r}"), r) for r in ledger.REDEEM_REASONS],
                lambda reason: self._redeem(n, reason),
            ),
        )

    def _redeem(self, amount: int, reason: str) -> None:
        self._do(
            lambda: ledger.redeem(self.app.staff.actor, self.member_no, amount, reason, datetime.now()),
            lambda done: t("staff.member.redeemed", n=amount),
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
        folders = exports.folders(self.app.settings)
        if len(folders) == 1:
            self._print(folders[0])
        else:
            Pick().ask(t("staff.member.print_where"), [(str(f), f) for f in folders], self._print)

    def _print(self, folder) -> None:
        self._do(
            lambda: members.print_cards(
                self.app.staff.actor, [self.member_no], self.app.settings, folder, datetime.now()
            ),
            lambda done: t(
                "staff.member.printed"
                if done.printed
                else "staff.member.print_failed"
                if done.error
                else "staff.member.saved",
                path=done.path,
                error=done.error,
            ),
        )

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


WITHDRAW_REASONS = ("own_wish", "health", "moved", "schedule", "other")
REISSUE_REASONS = ("lost", "damaged", "other")


class CourseLine(StaffBody):
    text = StringProperty("")


class MemberBody(StaffBody):
    pass


StaffMemberScreen.Body = MemberBody
kv.load(__name__)
