"""One round of the rules: the facts of one transaction applied in order to the roster (one member
per person), attendance, device states and the confirmed points ledger, then written and published
at once (docs/sync-protocol.md §9.2-§9.7).  A fact the rules cannot use is dead-lettered (dead.py)
and the round goes on."""

import json
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import msgspec

from bureau import daily, streams
from bureau.catalogue import CatalogueError, redemptions
from bureau.models import Activity, Attendance, Course, DeviceState, Enrollment, LedgerEntry, Member, Signup, Term
from bureau.programme.members import initials
from bureau.rules import dead, sql
from bureau.rules.applications import Applications
from bureau.rules.cursors import Fact
from bureau.rules.fields import BadFact, local, member_of
from bureau.rules.sites import WRONG_SITE, Refused, Sites
from bureau.store import utcnow
from contract import idhash, payloads
from contract.points import BALANCE_MAX, CATEGORIES, DEFAULT_RULES

log = logging.getLogger("bureau.rules")

AWARD_KINDS = frozenset(CATEGORIES)
DOUBLE_AWARD = "重复积分冲正"  # note of the reversal of a second award for one item
OVER_CAP = "超出每日上限"  # note of the reversal of what exceeds a daily cap
KEY_MAX = 255  # LedgerEntry.award_key is a VARCHAR(255)


@dataclass(slots=True)
class Person:
    """A Member row as the round changes it."""

    member_no: str
    name: str
    gender: str
    birth_year: int | None
    id_hash: str | None
    id_last4: str
    phone_last4: str
    site: int
    joined: date | None
    active: bool
    merged_into: str | None
    balance: int
    card_issue: int = 1


class Round:
    """The facts of one transaction, applied in order; writes wait for flush()."""

    def __init__(self, facts: list[Fact]):
        self.facts = facts
        self.site_of = Sites(sql.query("SELECT id, code, prefix FROM site"))
        self.sites = self.site_of.codes
        self.rules = _rules()
        self.people: dict[str, Person | None] = {}
        self.owners: dict[str, list[str]] = {}  # id_hash -> member_nos holding it, first first
        self.signins: dict[str, tuple[str, str, str]] = {}  # signin event_id -> (member_no, title, start)
        self.signed_at: dict[str, int] = {}  # signin event_id -> the kiosk that pushed it
        self.keys: set[str] = set()  # award keys known taken
        self.free: set[str] = set()  # award keys known not taken (yet)
        self.held: set[str] = set()  # the round's points facts already in the ledger
        self.earned: dict[tuple[str, str, date], int] = {}  # (member, category, day) -> net awards
        self.entries: dict[str, tuple[str, str, date, int]] = {}  # entry_id -> (member, kind, day, amount)
        self.dirty: dict[str, Person] = {}
        self.attendance: list[tuple] = []
        self.ledger: list[tuple] = []
        self.balances: list[tuple[str, dict]] = []
        self.devices: dict[tuple[int, str], tuple] = {}
        self.signups: dict[tuple, tuple] = {}  # (site, title, start, member) -> the Signup row's values
        self.warnings: dict[str, list[str]] = {}  # what went wrong -> an example of each time
        self.applications = Applications()  # the enrolment seasons' applications (applications.py)

    def apply(self) -> None:
        """Apply the round's facts and write what they changed.  A fact that does not parse, or
        that a handler finds unusable (BadFact), is dead-lettered; one dead-lettered before (an
        operator's skip) is passed over.  Any other error is the caller's (worker._round)."""
        gone = dead.among(self.facts)
        for fact in self.facts:
            if fact.event_id not in gone and fact.problem is not None:
                self._dead(fact, fact.problem)
                gone.add(fact.event_id)
        self.facts = [f for f in self.facts if f.event_id not in gone]
        _upgrade_id_hashes(self.facts)
        self._load_roster()
        self._prefetch()
        for fact in self.facts:
            handler = _HANDLERS.get(fact.kind)
            if handler is None:
                continue
            try:
                handler(self, fact, fact.payload)
            except Refused as e:  # a fact the kiosk may not write: dead-lettered with its own code
                self._dead(fact, str(e), e.code)
            except BadFact as e:
                self._dead(fact, str(e))
        self.flush()
        # One line a round for each kind of trouble: a backlog of such facts must not flood the log.
        for what, examples in self.warnings.items():
            log.warning("rules: %d %s, e.g. %s", len(examples), what, examples[0])
            log.debug("rules: %s:\n%s", what, "\n".join(examples))

    def warn(self, what: str, example: str) -> None:
        """Note one case of `what` for the round's summary in the log."""
        self.warnings.setdefault(what, []).append(example)

    def _dead(self, fact: Fact, reason: str, code: str = dead.UNUSABLE) -> None:
        dead.letter(fact, code, reason)
        self.warn(
            "facts dead-lettered", f"{fact.kind} fact {fact.event_id} (kiosk pk {fact.kiosk} seq {fact.seq}): {reason}"
        )

    # -- members

    def _member(self, fact: Fact, p: payloads.Member) -> None:
        no = p.member_no
        person = self.person(no)
        if person is None:
            self.site_of.may_create(no, fact.site)
        else:
            self.site_of.may_change(no, person.site, fact.site, "a member fact")
        fields = {
            "name": p.name,
            "gender": p.gender,
            "birth_year": p.birth_year,
            "id_hash": p.id_hash or None,
            "id_last4": p.id_last4,
            "phone_last4": p.phone_last4,
            "joined": p.joined,
            "active": p.active,
        }
        created = person is None
        if created:
            person = self.people[no] = Person(member_no=no, site=fact.site, merged_into=None, balance=0, **fields)
            before = None
        else:
            before = person.id_hash
            for name, value in fields.items():
                setattr(person, name, value)
        self.dirty[no] = person
        if person.id_hash and person.id_hash != before and person.merged_into is None:
            owner = self.owner(person.id_hash, no)
            if owner is None:
                self.owners.setdefault(person.id_hash, []).append(no)
            else:
                self.merge(person, owner, had_history=not created)

    def _load_roster(self) -> None:
        """The members the round's facts name, the holders of the id numbers they carry, and the
        members those are merged into: three queries, not three per fact."""
        self._load_people({member_of(f) for f in self.facts} - {None})
        carried = {f.payload.id_hash for f in self.facts if isinstance(f.payload, payloads.Member)}
        hashes = sorted({h for h in carried if h} - self.owners.keys())
        for chunk in sql.chunks(hashes, 500):
            found: dict[str, list[str]] = {h: [] for h in chunk}
            for id_hash, no in sql.query(_HOLDERS_OF.format(sql.marks(len(chunk))), chunk):
                found[id_hash].append(no)
            self.owners.update(found)
        self._load_people({no for holders in self.owners.values() for no in holders})
        self._load_people({p.merged_into for p in self.people.values() if p is not None and p.merged_into})

    def person(self, no: str) -> Person | None:
        if no not in self.people:
            self._load_people({no})
        return self.people[no]

    def _load_people(self, numbers: set[str]) -> None:
        wanted = [no for no in numbers if no not in self.people]
        for chunk in sql.chunks(wanted, 500):
            found = {row[0]: row for row in sql.query(_MEMBERS.format(sql.marks(len(chunk))), chunk)}
            for no in chunk:
                self.people[no] = _person(found[no]) if no in found else None

    def owner(self, id_hash: str, other_than: str) -> str | None:
        """The canonical member holding `id_hash` first, other than member `other_than`.  The
        holders read from the store are checked against the round's changes to them."""
        if id_hash not in self.owners:
            self.owners[id_hash] = [no for (no,) in sql.query(_HOLDERS, (id_hash,))]
        for no in self.owners[id_hash]:
            person = self.person(no)
            if no != other_than and person.id_hash == id_hash and person.merged_into is None:
                return no
        return None

    def canonical(self, no: str, fact: Fact) -> Person:
        """The member `no` counts as, made when the bureau has never heard of it: of the site whose
        prefix its number carries, else of the fact's site."""
        person = self.person(no)
        if person is None:
            self.warn(
                "members unknown to the bureau, made from a fact with no name",
                f"{no} from {fact.kind} fact {fact.event_id}",
            )
            site = self.site_of.home_of(no, fact.site)
            person = self.people[no] = Person(no, "", "", None, None, "", "", site, None, True, None, 0)
            self.dirty[no] = person
        return (self.person(person.merged_into) or person) if person.merged_into else person

    def merge(self, alias: Person, into: str, had_history: bool) -> None:
        """Make `alias` one with member `into`: its aliases, sign-ins and entries follow it."""
        log.info("rules: member %s is %s (same id number): merged", alias.member_no, into)
        if had_history:
            self.flush()  # what the round holds of the alias goes in first, then moves with it
            self._move(alias.member_no, into)
        alias.merged_into = into
        self.dirty[alias.member_no] = alias
        self.dirty[into] = self.person(into)

    def _move(self, old: str, into: str) -> None:
        sql.execute("UPDATE member SET merged_into = ? WHERE merged_into = ?", (into, old))
        for person in self.people.values():
            if person is not None and person.merged_into == old:
                person.merged_into = into
                self.dirty[person.member_no] = person
        sql.execute("UPDATE attendance SET member_no = ? WHERE member_no = ?", (into, old))
        if sql.execute("UPDATE ledger_entry SET member_no = ? WHERE member_no = ?", (into, old)):
            self._rebalance(self.person(into))
            self.person(old).balance = 0
        # What the round read of either member's days and sign-ins may have changed hands.
        self.earned.clear()
        self.entries.clear()
        self.signins.clear()
        self.signed_at.clear()

    def _rebalance(self, person: Person) -> None:
        """Running balances of the member's whole ledger again, after another's entries joined it."""
        balance, changed = 0, []
        for entry_id, amount, kind, rule, site, at, reverses, note, balance_after, minutes in sql.query(
            _LEDGER_OF, (person.member_no,)
        ):
            balance += amount
            if balance != balance_after:
                sql.execute("UPDATE ledger_entry SET balance_after = ? WHERE entry_id = ?", (balance, entry_id))
            # Every entry is published again: its member_no or its balance may have changed.
            changed.append(
                (
                    entry_id,
                    self._entry_data(
                        entry_id,
                        person.member_no,
                        amount,
                        kind,
                        rule,
                        site,
                        _as_datetime(at),
                        reverses,
                        note,
                        balance,
                        minutes,
                    ),
                )
            )
        person.balance = balance
        self.balances += changed
        self.dirty[person.member_no] = person

    # -- attendance and devices

    def _signin(self, fact: Fact, p: payloads.Signin) -> None:
        no, kind, title, method = p.member_no, p.kind, p.title, p.method
        start, at = local(p.start), self.corrected(fact, local(p.at))
        person = self.person(no)
        member = person.merged_into or no if person else no
        self.attendance.append(
            (fact.event_id, member, fact.site, fact.kiosk, kind, title, start, at, at.date(), method)
        )
        self.signins[fact.event_id] = (member, title, start.isoformat())
        self.signed_at[fact.event_id] = fact.kiosk

    def _enrollment(self, fact: Fact, p: payloads.Enrollment) -> None:
        """A kiosk enrolled a senior (or withdrew, or moved one up): the roster of the bureau's course
        of that site, term and title follows, so the console shows it.  A course only the kiosk
        knows (made there) has no roster here."""
        course = (
            Course.select(Course.id)
            .join(Term)
            .where(Course.site == fact.site, Term.name == p.term, Course.title == p.course)
            .first()
        )
        status = _ENROLLMENT_STATUS.get(p.status)
        if course is None or status is None:
            self.warn("enrollments of a course the bureau does not have", f"{p.term} {p.course} {p.member_no}")
            return
        person = self.person(p.member_no)
        member = (person.merged_into or p.member_no) if person else p.member_no
        at = self.corrected(fact, local(p.at)) if p.at else utcnow()
        (
            Enrollment.insert(course=course.id, member_no=member, status=status, at=at)
            .on_conflict(
                conflict_target=[Enrollment.course, Enrollment.member_no],
                update={Enrollment.status: status, Enrollment.at: at},
            )
            .execute()
        )

    def _registration(self, fact: Fact, p: payloads.Registration) -> None:
        """A senior's registration for an activity, as its kiosk last saw it: a Signup row, tied to
        the console's Activity by its key or else by its site (or every site), title and start."""
        if p.start is None or p.at is None or not p.title or p.status not in SIGNUP_STATUSES:
            raise BadFact("a registration names its activity's title and start, a status and when")
        start, at = local(p.start), self.corrected(fact, local(p.at))
        person = self.person(p.member_no)
        member = person.merged_into or p.member_no if person else p.member_no
        activity = _activity_of(fact.site, p.key, p.title, start)
        self.signups[(fact.site, p.title, start, member)] = (fact.site, member, activity, p.title, start, p.status, at)

    def _redemption(self, fact: Fact, p: payloads.Redemption) -> None:
        """A senior's request for a catalogue item, its handover or its cancel (bureau/catalogue/
        redemptions.py): only of the kiosk's own site's members and of its site's or every site's
        items.  The points move by the kiosk's redeem `points` fact, filed by _points."""
        named = self.person(p.member_no)
        home = named.site if named else self.site_of.home_of(p.member_no, fact.site)
        self.site_of.may_change(p.member_no, home, fact.site, f"a redemption {p.action}")
        member = (named.merged_into or p.member_no) if named else p.member_no
        try:
            redemptions.file(fact.site, member, p, self.corrected(fact, local(p.at)))
        except redemptions.NotHere as e:
            raise Refused(WRONG_SITE, str(e)) from None
        except CatalogueError as e:
            raise BadFact(str(e)) from None

    def _application(self, fact: Fact, p: payloads.Application) -> None:
        """A senior's application for a season's course, or its withdrawal (rules/applications.py)."""
        person = self.person(p.member_no)
        member = (person.merged_into or p.member_no) if person else p.member_no
        self.applications.file(fact.site, self.sites, member, p, self.corrected(fact, local(p.at)))

    def _device(self, fact: Fact, p: payloads.Device) -> None:
        device = p.device
        row = (
            fact.kiosk,
            device,
            p.kind,
            p.state,
            p.reads,
            p.faults,
            p.disconnects,
            p.last_error[:200],
            self.corrected(fact, local(p.at)),
        )
        held = self.devices.get((fact.kiosk, device))
        if held is None or row[-1] > held[-1]:
            self.devices[fact.kiosk, device] = row

    # -- points

    def _points(self, fact: Fact, p: payloads.Points) -> None:
        amount, kind = p.amount, p.kind
        if fact.event_id in self.held:
            raise BadFact("its event_id is an entry of the ledger already")
        at = self.corrected(fact, local(p.at))
        entry = dict(
            entry_id=fact.event_id,
            amount=amount,
            kind=kind,
            rule=p.rule,
            site=fact.site,
            kiosk=fact.kiosk,
            reverses=p.reverses or None,
            day=at.date(),
            at=at,
            note=p.reason[:255],
            minutes=_minutes(p),
        )  # a long reason is cut, not lost
        no = p.member_no
        named = self.person(no)
        home = named.site if named else self.site_of.home_of(no, fact.site)
        if home != fact.site and not self._visit(fact, p, named or no):
            self.site_of.may_change(no, home, fact.site, f"a {kind} entry")
        self._within_balance(no, amount)
        member = self.canonical(no, fact)  # last: it may make a member
        if kind not in AWARD_KINDS or amount <= 0:
            self.enter(member, **entry)
            if p.reverses:
                self._undone(p.reverses, amount)
            if member.balance < 0:
                log.warning(
                    "rules: member %s has a negative balance %d after %s entry %s (for staff to review)",
                    member.member_no,
                    member.balance,
                    kind,
                    fact.event_id,
                )
            return
        rule = self.rules.get(kind, DEFAULT_RULES.get(kind))
        self.award(member, entry, rule, self._award_key(kind, member.member_no, p.signin, rule))

    def award(self, member: Person, entry: dict, rule: dict | None, key: str | None) -> None:
        """Enter an award (`entry`, for `enter`) for `member`: a second award of one item (`key`
        taken) reversed at once, and what exceeds the category's daily cap reversed."""
        kind, amount = entry["kind"], entry["amount"]
        if key is not None and self._taken(key):
            self.enter(member, **entry)
            self.enter(member, **self._reversal(entry, amount, DOUBLE_AWARD))
            return
        earned_key = (member.member_no, kind, entry["day"])
        earned = self._earned(earned_key)
        cap = (rule or {}).get("daily_cap") or 0
        excess = min(amount, max(0, earned + amount - cap)) if cap else 0
        self.enter(member, award_key=key, **entry)
        self.earned[earned_key] = earned + amount - excess
        if key is not None:
            self.keys.add(key)
            self.free.discard(key)
        if excess:
            self.enter(member, **self._reversal(entry, excess, OVER_CAP))

    def _visit(self, fact: Fact, p: payloads.Points, named: Person | str) -> bool:
        """Whether the points fact is an award for a sign-in the same kiosk pushed for the member:
        all a kiosk may enter for another site's member (a visiting senior)."""
        if p.kind not in AWARD_KINDS or p.amount <= 0 or p.signin is None:
            return False
        signin = p.signin.lower()
        if signin not in self.signins:
            self._load_signins([signin])
        if self.signed_at.get(signin) != fact.kiosk:
            return False
        if isinstance(named, str):
            return self.signins[signin][0] == named
        return self.signins[signin][0] in (named.merged_into, named.member_no)

    def _within_balance(self, member_no: str, amount: int) -> None:
        """BadFact when the entry would take the member's balance past ±BALANCE_MAX: no sum of
        entries, however many, stores an absurd balance."""
        person = self.person(member_no)
        person = (self.person(person.merged_into) or person) if person and person.merged_into else person
        balance = person.balance if person else 0
        if abs(balance + amount) > BALANCE_MAX:
            raise BadFact(f"an entry of {amount} would take the balance {balance} past ±{BALANCE_MAX}")

    # -- cards

    def _card(self, fact: Fact, p: payloads.Card) -> None:
        """A reissued QR card: the member's card_issue is the newest issue (never lowered), which
        the cards stream carries to every kiosk so the older cards are refused there too."""
        person = self.person(p.member_no)
        if person is None:
            raise BadFact(f"member {p.member_no} is unknown to the bureau")
        self.site_of.may_change(p.member_no, person.site, fact.site, "a reissued card")
        if p.card_issue > person.card_issue:
            person.card_issue = p.card_issue
            self.dirty[p.member_no] = person

    def enter(
        self,
        member: Person,
        entry_id: str,
        amount: int,
        kind: str,
        rule: str,
        site: int | None,
        kiosk: int | None,
        reverses: str | None,
        day: date,
        at: datetime,
        note: str,
        award_key: str | None = None,
        minutes: int | None = None,
    ) -> None:
        member.balance += amount
        self.dirty[member.member_no] = member
        self.ledger.append(
            (
                entry_id,
                member.member_no,
                amount,
                kind,
                rule,
                site,
                kiosk,
                reverses,
                day,
                award_key,
                member.balance,
                note,
                at,
                utcnow(),
                minutes,
            )
        )
        self.entries[entry_id] = (member.member_no, kind, day, amount)
        self.balances.append(
            (
                entry_id,
                self._entry_data(
                    entry_id, member.member_no, amount, kind, rule, site, at, reverses, note, member.balance, minutes
                ),
            )
        )

    def _entry_data(
        self,
        entry_id: str,
        member_no: str,
        amount: int,
        kind: str,
        rule: str,
        site: int | None,
        at: datetime,
        reverses: str | None,
        note: str,
        balance: int,
        minutes: int | None = None,
    ) -> dict:
        data = {
            "entry_id": entry_id,
            "member_no": member_no,
            "amount": amount,
            "kind": kind,
            "rule": rule,
            "site": self.sites.get(site),
            "at": at.isoformat(),
            "reverses": reverses,
            "note": note,
            "balance": balance,
        }
        if minutes is not None:  # a volunteer entry's time served: the kiosk shows it on 我的积分
            data["minutes"] = minutes
        return data

    def _reversal(self, entry: dict, amount: int, note: str) -> dict:
        return dict(
            entry,
            entry_id=str(uuid.uuid4()),
            amount=-amount,
            kind="reversal",
            reverses=entry["entry_id"],
            note=note,
            minutes=None,  # the service stays the award's: a reversal undoes points, not time served
        )

    def _award_key(self, category: str, member_no: str, signin: str | None, rule: dict | None) -> str | None:
        """category|member|title|start of the sign-in the award is for (None: no once-per-item check)."""
        if signin is None or not (rule or {}).get("once_per_item", True):
            return None
        signin = signin.lower()
        if signin not in self.signins:
            self._load_signins([signin])
        if signin not in self.signins:
            self.warn(
                "awards naming a sign-in the bureau does not hold, with no once-per-item check", f"sign-in {signin}"
            )
            return None
        _, title, start = self.signins[signin]
        return _award_key(category, member_no, title, start)

    def _load_signins(self, event_ids: list[str]) -> None:
        for chunk in sql.chunks(event_ids, 500):
            for event_id, member_no, title, start, kiosk in sql.query(_SIGNINS.format(sql.marks(len(chunk))), chunk):
                self.signins[event_id] = (member_no, title, _as_datetime(start).isoformat())
                self.signed_at[event_id] = kiosk

    def _taken(self, key: str) -> bool:
        if key not in self.keys and key not in self.free:
            if sql.query("SELECT 1 FROM ledger_entry WHERE award_key = ?", (key,)):
                self.keys.add(key)
            else:
                self.free.add(key)
        return key in self.keys

    def _prefetch(self) -> None:
        """Read at once what the round's facts would ask one by one: the sign-ins awards name,
        whether their award keys are taken, what the members earned on their days (as things
        stand before the round: what the round adds is counted in memory), and which points
        facts the ledger holds already."""
        for fact in self.facts:
            if isinstance(p := fact.payload, payloads.Signin):
                self.signins[fact.event_id] = (p.member_no, p.title, local(p.start).isoformat())
                self.signed_at[fact.event_id] = fact.kiosk
        points = [f.event_id for f in self.facts if f.kind == "points"]
        for chunk in sql.chunks(points, 500):  # a kiosk's fact can never overwrite an entry
            self.held.update(e for (e,) in sql.query(_HELD.format(sql.marks(len(chunk))), chunk))
        awards = self._awards()
        named = {s.lower() for *_, s in awards if isinstance(s, str)}
        self._load_signins(sorted(named - self.signins.keys()))
        self._read_keys(
            {
                _award_key(kind, member, *self.signins[s.lower()][1:])
                for member, kind, _, s in awards
                if isinstance(s, str) and s.lower() in self.signins
            }
        )
        self._read_days({(member, kind, day) for member, kind, day, _ in awards})
        applying = [f.payload for f in self.facts if isinstance(f.payload, payloads.Application)]
        if applying:
            members = {p.member_no for p in applying}
            members |= {p.merged_into for no in members if (p := self.person(no)) is not None and p.merged_into}
            self.applications.load({p.season for p in applying}, members)

    def _awards(self) -> list[tuple[str, str, date, str | None]]:
        """(member, category, business day, signin) of the round's awards, the member as it stands."""
        awards = []
        for fact in self.facts:
            if isinstance(p := fact.payload, payloads.Points) and p.kind in AWARD_KINDS:
                person = self.people.get(p.member_no)
                member = person.merged_into or person.member_no if person else p.member_no
                day = self.corrected(fact, local(p.at)).date()
                awards.append((member, p.kind, day, p.signin))
        return awards

    def _read_keys(self, keys: set[str]) -> None:
        for chunk in sql.chunks(sorted(keys), 500):
            self.keys.update(k for (k,) in sql.query(_TAKEN.format(sql.marks(len(chunk))), chunk))
        self.free |= keys - self.keys

    def _read_days(self, days: set[tuple[str, str, date]]) -> None:
        earned = dict.fromkeys(days, 0)
        dates = sorted({day for _, _, day in days})
        for chunk in sql.chunks(sorted({member for member, _, _ in days}), 400):
            for member, kind, day, net in sql.query(
                _EARNED_ON.format(sql.marks(len(chunk)), sql.marks(len(dates))), (*chunk, *dates)
            ):
                key = (member, kind, _as_date(day))
                if key in earned:
                    earned[key] += net
        self.earned.update(earned)

    def _earned(self, key: tuple[str, str, date]) -> int:
        """What the member's awards of a category came to on a day, after their reversals."""
        if key not in self.earned:
            self.earned[key] = sql.query(_EARNED, (*key, *key))[0][0]
        return self.earned[key]

    def _undone(self, entry_id: str, amount: int) -> None:
        """A kiosk's correction of an award lowers what that day's cap counts."""
        if entry_id not in self.entries:
            row = sql.query(
                "SELECT member_no, kind, business_day, amount FROM ledger_entry WHERE entry_id = ?", (entry_id,)
            )
            if not row:
                return
            member, kind, day, was = row[0]
            self.entries[entry_id] = (member, kind, _as_date(day), was)
        member, kind, day, _ = self.entries[entry_id]
        if kind in AWARD_KINDS:
            self.earned[member, kind, day] = self._earned((member, kind, day)) + amount

    # -- time

    def corrected(self, fact: Fact, at: datetime) -> datetime:
        """`at` on the bureau's clock when the kiosk's clock was off (docs/sync-protocol.md §9.7).
        Ingest bounds both (contract.payloads, SKEW_MAX_MS); a skew stored before it did may not
        be: then the time stands as the kiosk wrote it."""
        if not fact.skewed:
            return at
        try:
            return at - timedelta(milliseconds=fact.skew_ms)
        except OverflowError:
            self.warn("times left uncorrected, their kiosk's clock off beyond reason", f"fact {fact.event_id}")
            return at

    # -- writing

    def flush(self) -> None:
        """Write what the round changed so far, and publish it."""
        people = list(self.dirty.values())
        sql.upsert(Member, _MEMBER_COLUMNS, [_member_row(p) for p in people], ("member_no",), _MEMBER_COLUMNS[1:])
        # The sign-ins inserted (one applied before is not) counted into their days, in this transaction.
        daily.add(sql.insert(Attendance, _ATTENDANCE_COLUMNS, self.attendance, ("event_id",), _ATTENDANCE_DAY))
        sql.insert(LedgerEntry, _LEDGER_COLUMNS, self.ledger)
        sql.upsert(
            DeviceState,
            _DEVICE_COLUMNS,
            list(self.devices.values()),
            ("kiosk_id", "device"),
            _DEVICE_COLUMNS[2:],
            newer="at",
        )
        sql.upsert(Signup, _SIGNUP_COLUMNS, list(self.signups.values()), _SIGNUP_KEY, _SIGNUP_COLUMNS[2:], newer="at")
        self.applications.flush()
        publish_people(people, self.sites)
        sql.publish("balances", self.balances)
        self.dirty, self.attendance, self.ledger, self.balances, self.devices = {}, [], [], [], {}
        self.signups = {}


def record_service(member_no: str, minutes: int, site: int, at: datetime, note: str, item: str) -> str:
    """Volunteer service the bureau recorded itself (a need done: bureau/volunteers/needs.py), entered
    as a round enters a kiosk's hours: the volunteer rule's points for the time, what exceeds the
    day's cap reversed, once per member per `item` (its award key), the balance kept and the entry
    and the member published (balances, members), so the member's kiosk shows the new balance.

    Call it inside the caller's store.write(): it takes the rules' turn first (sql.lock_rules; on
    SQLite the write transaction holds the whole database already), so no round reads the member's
    balance or the day's awards while this changes them, and the next round reads them changed.
    Returns the entry_id (BadFact: the member is unknown, or the balance would go past its bound)."""
    sql.lock_rules()
    work = Round([])
    named = work.person(member_no)
    if named is None:
        raise BadFact(f"member {member_no} is unknown to the bureau")
    member = (work.person(named.merged_into) or named) if named.merged_into else named
    rule = work.rules.get("volunteer", DEFAULT_RULES["volunteer"])
    amount = service_points(minutes, rule)
    work._within_balance(member.member_no, amount)
    entry = dict(
        entry_id=str(uuid.uuid4()),
        amount=amount,
        kind="volunteer",
        rule="volunteer_hour",
        site=site,
        kiosk=None,
        reverses=None,
        day=at.date(),
        at=at,
        note=note[:255],
        minutes=minutes,
    )
    work.award(member, entry, rule, _award_key("volunteer", member.member_no, item, at.isoformat()))
    work.flush()
    return entry["entry_id"]


def service_points(minutes: int, rule: dict) -> int:
    """The volunteer rule's points for `minutes` of one day's service, as a kiosk counts hours
    (kiosk/points/awards.py volunteer_points): rounded down, at most the daily cap."""
    points = math.floor(round(rule.get("points", 0) * minutes / 60, 6))
    cap = rule.get("daily_cap") or 0
    return min(points, cap) if cap else points


def publish_people(people: list[Person], sites: dict[int, str]) -> None:
    """A kiosk holds only the members it needs (docs/sync-protocol.md §6.1): "members" gives each
    site's kiosks their own members in full, "cards" every kiosk what a visiting senior's card read
    needs.  Neither carries the birth year or last 4 the bureau may hold: beside the id_hash they
    would narrow a search for the ID number."""
    data = [(p.member_no, _member_data(p, sites)) for p in people]
    sql.publish("members", data, streams.member_scope)
    sql.publish("cards", [(no, streams.card_of(d)) for no, d in data])


def _member_data(p: Person, sites: dict[int, str]) -> dict:
    return {
        "member_no": p.member_no,
        "name": p.name,
        "gender": p.gender,
        "id_hash": p.id_hash,
        "phone_last4": p.phone_last4,
        "site": sites.get(p.site),
        "joined": p.joined.isoformat() if p.joined else None,
        "active": p.active,
        "merged_into": p.merged_into,
        "balance": p.balance,
        "card_issue": p.card_issue,
    }


def _upgrade_id_hashes(facts: list[Fact]) -> None:
    """A member fact from a kiosk not yet upgraded carries the older id_hash, the plain HMAC: the
    round uses its slow derivation (contract.idhash), as every kiosk and the roster now do."""
    legacy = [f for f in facts if isinstance(f.payload, payloads.Member) and idhash.is_legacy(f.payload.id_hash or "")]
    hashes = idhash.upgraded_all([f.payload.id_hash for f in legacy])  # type: ignore[union-attr]
    for fact, upgraded in zip(legacy, hashes):
        fact.payload = msgspec.structs.replace(fact.payload, id_hash=upgraded)


_HANDLERS = {
    "member": Round._member,
    "signin": Round._signin,
    "device": Round._device,
    "points": Round._points,
    "card": Round._card,
    "enrollment": Round._enrollment,
    "registration": Round._registration,
    "redemption": Round._redemption,
    "application": Round._application,
}
# A kiosk's enrollment statuses as the bureau's roster has them.
_ENROLLMENT_STATUS = {"enrolled": "enrolled", "waitlisted": "waitlisted", "withdrawn": "dropped"}
SIGNUP_STATUSES = ("registered", "waitlisted", "cancelled")
_SIGNUP_COLUMNS = ("site_id", "member_no", "activity_id", "title", "start", "status", "at")
_SIGNUP_KEY = ("site_id", "title", "start", "member_no")


def _minutes(p: payloads.Points) -> int | None:
    """The time a volunteer entry served, in minutes (the kiosk records hours, in half hours)."""
    return round(p.hours * 60) if p.kind == "volunteer" and p.hours is not None else None


def _activity_of(site: int, key: str | None, title: str, start: datetime) -> int | None:
    """The console's Activity a kiosk's registration is for: by the key the kiosk was given, else
    by title and start among its site's and every site's; None for one a kiosk made itself."""
    mine = (Activity.site == site) | Activity.site.is_null()
    by_key = Activity.select(Activity.id).where(Activity.key == key, mine) if key else None
    found = (by_key and by_key.first()) or (
        Activity.select(Activity.id)
        .where(Activity.title == title, Activity.start == start, mine)
        .order_by(Activity.site.is_null())
        .first()
    )
    return found.id if found else None


def _award_key(category: str, member_no: str, title: str, start: str) -> str:
    """Once per member per item: an item is known bureau-wide by its title and start."""
    key = f"{category}|{member_no}|{title}|{start}"
    if len(key) > KEY_MAX:  # a very long title: its digest keeps the key unique
        key = f"{category}|{member_no}|{uuid.uuid5(uuid.NAMESPACE_URL, title)}|{start}"
    return key


def _rules() -> dict[str, dict]:
    """The bureau's points rules by category (the "rules" stream)."""
    found = {}
    for entity_id, text in sql.query("SELECT entity_id, data FROM stream_row WHERE stream = 'rules' AND NOT deleted"):
        data = json.loads(text)
        cap = data.get("daily_cap") if isinstance(data, dict) else None
        if type(cap) is int and cap >= 0 and isinstance(data.get("once_per_item", True), bool):
            found[entity_id] = data
        else:  # the kiosk's default stands: a bad rule must not stop the ledger
            log.warning("rules: the published rule %s is not usable: %s", entity_id, text[:200])
    return found


def _member_row(p: Person) -> tuple:
    return (
        p.member_no,
        p.name,
        p.gender,
        p.birth_year,
        p.id_hash,
        p.id_last4,
        p.phone_last4,
        p.site,
        p.joined,
        p.active,
        p.merged_into,
        p.balance,
        utcnow(),
        p.card_issue,
        initials(p.name),
    )


def _person(row: tuple) -> Person:
    no, name, gender, birth_year, id_hash, id_last4, phone_last4, site, joined, active, merged_into, balance, issue = (
        row
    )
    return Person(
        no,
        name,
        gender,
        birth_year,
        id_hash,
        id_last4,
        phone_last4,
        site,
        _as_date(joined),
        bool(active),
        merged_into,
        balance,
        issue,
    )


def _as_date(value) -> date | None:
    return Member.joined.python_value(value)


def _as_datetime(value) -> datetime:
    return Attendance.start.python_value(value)


_MEMBER_COLUMNS = (
    "member_no",
    "name",
    "gender",
    "birth_year",
    "id_hash",
    "id_last4",
    "phone_last4",
    "site_id",
    "joined",
    "active",
    "merged_into",
    "balance",
    "updated_at",
    "card_issue",
    "initials",  # of the name, for the console's search
)
_MEMBERS = f"SELECT {', '.join(_MEMBER_COLUMNS[:-3] + ('card_issue',))} FROM member WHERE member_no IN ({{}})"
_HOLDERS = "SELECT member_no FROM member WHERE id_hash = ? AND merged_into IS NULL ORDER BY id"
_HOLDERS_OF = "SELECT id_hash, member_no FROM member WHERE id_hash IN ({}) AND merged_into IS NULL ORDER BY id"
_ATTENDANCE_DAY = ("site_id", "business_day")
_ATTENDANCE_COLUMNS = (
    "event_id",
    "member_no",
    "site_id",
    "kiosk_id",
    "kind",
    "title",
    "start",
    "at",
    "business_day",
    "method",
)
_LEDGER_COLUMNS = (
    "entry_id",
    "member_no",
    "amount",
    "kind",
    "rule",
    "site_id",
    "kiosk_id",
    "reverses",
    "business_day",
    "award_key",
    "balance_after",
    "note",
    "at",
    "recorded_at",
    "minutes",  # a volunteer entry's time served (the fact's hours), for the reports
)
_LEDGER_OF = """
    SELECT entry_id, amount, kind, rule, site_id, at, reverses, note, balance_after, minutes FROM ledger_entry
    WHERE member_no = ? ORDER BY id"""
_DEVICE_COLUMNS = ("kiosk_id", "device", "kind", "state", "reads", "faults", "disconnects", "last_error", "at")
_SIGNINS = "SELECT event_id, member_no, title, start, kiosk_id FROM attendance WHERE event_id IN ({})"
_TAKEN = "SELECT award_key FROM ledger_entry WHERE award_key IN ({})"
_HELD = "SELECT entry_id FROM ledger_entry WHERE entry_id IN ({})"
# Each award of the members on the days, less its reversals (whenever those were entered).
_EARNED_ON = """
    SELECT a.member_no, a.kind, a.business_day,
           a.amount + coalesce((SELECT sum(r.amount) FROM ledger_entry r WHERE r.reverses = a.entry_id), 0)
    FROM ledger_entry a
    WHERE a.member_no IN ({}) AND a.business_day IN ({})
      AND a.kind IN ('lesson', 'activity', 'party', 'volunteer')"""
# Awards of a category on a day, less the reversals of them (whenever those were entered).
_EARNED = """
    SELECT coalesce(sum(amount), 0) + coalesce((
        SELECT sum(r.amount) FROM ledger_entry r WHERE r.reverses IN (
            SELECT entry_id FROM ledger_entry WHERE member_no = ? AND kind = ? AND business_day = ?)), 0)
    FROM ledger_entry WHERE member_no = ? AND kind = ? AND business_day = ?"""
