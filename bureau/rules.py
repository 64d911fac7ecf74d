"""The bureau's rules over the facts kiosks pushed: the roster (with one member per person),
attendance, device health and the confirmed points ledger.

    catch_up()        apply every fact not yet applied; returns how many it applied
    Worker()          a thread doing catch_up every second, and after notify() once pushes pause

Roster.  A "member" fact upserts Member (the latest fact wins); a new member_no carrying the
id_hash of an existing member is merged_into the first member that held it, and from then on its
sign-ins and points count for that one (entries it already had move with it).  "signin" makes an
Attendance row, "device" the DeviceState of (kiosk, device) when newer than the one held.

Points.  Each "points" fact is a LedgerEntry (entry_id = its event_id) of the canonical member,
with the member's running balance.  An award (lesson, activity, party, volunteer) naming its
sign-in counts once per member and item (award_key category|member|title|start: a second one is
entered, then reversed in full, DOUBLE_AWARD); what goes over the category's daily cap for the
member's business day, across sites, is reversed (OVER_CAP).  Rules come from the "rules" stream,
else the kiosk's defaults.  Every entry and changed member is published ("balances", "members")
in the transaction that made it.  A fact the rules cannot use (a field missing, of the wrong
type, too long) is skipped, with one warning a round; it stays in Event for staff.

Order.  Facts are applied in Event.id order across all kiosks, among those committed when a round
reads them (on PostgreSQL a push that commits late is applied by the next round), so the first
award the bureau received is the one confirmed, whichever kiosk sent it.  What was
applied is kept per kiosk (RuleCursor: the last seq applied of each epoch), not as one Event.id:
on PostgreSQL ids of concurrent pushes commit out of order, and a global id cursor could step
over a push that commits late.  A kiosk's pushes take turns (its Kiosk row is locked), so its
facts commit in (epoch, seq) order and its cursor never steps over one.  Each round reads the
kiosks behind their acked_seq, up to BATCH facts of each from the (kiosk, epoch, seq) index,
merges them by Event.id and applies the first BATCH; a kiosk read to its end moves its cursor to
the acked_seq read before, past the facts refused or stored as duplicates under another epoch.

Concurrency.  Every rule here is across kiosks (a member's balance, an award key, a daily cap),
so rounds are serialised as a whole: SQLite's write transaction holds the database, and on
PostgreSQL a transaction-scoped advisory lock (LOCK_KEY) is taken before the cursors are read.
Two threads or processes may call catch_up at once: the second waits, then sees the cursors the
first committed, so each fact is applied once; running it again changes nothing.

Speed.  A round reads its members, signed-in items and award keys with few plain SQL queries
and keeps them in memory; it writes members, attendance, entries, device states, stream rows and
cursors in multi-row statements at its end (flush), and publishes each stream once per round
(streams.lock, then one upsert), so a round of 500 facts costs tens of statements, not thousands.

Business day.  The date of the fact's own time ("at", kiosk local time).  When the kiosk's clock
is off (the Event is flagged skewed) the time is corrected by the clock's error, which the bureau
measured from the clock the kiosk sent the push with (Event.skew_ms, bureau/ingest.py).
"""
import heapq
import json
import logging
import os
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bureau import streams
from bureau.models import Attendance, DeviceState, LedgerEntry, Member, RuleCursor, StreamRow
from bureau.store import close_store, db, is_sqlite, open_store, utcnow, write

log = logging.getLogger("bureau.rules")

BATCH = 500                     # facts a round applies in one transaction
LOCK_KEY = 0x72756C6573         # pg_advisory_xact_lock key of the rules ("rules")
AWARD_KINDS = frozenset({"lesson", "activity", "party", "volunteer"})
# A kiosk's default rules (kiosk/store/migrations/0003_self_service.sql), until the bureau publishes its own.
DEFAULT_RULES = {
    "lesson": {"category": "lesson", "points": 2, "per": "attendance", "daily_cap": 10, "once_per_item": True},
    "activity": {"category": "activity", "points": 5, "per": "attendance", "daily_cap": 10, "once_per_item": True},
    "party": {"category": "party", "points": 5, "per": "attendance", "daily_cap": 10, "once_per_item": True},
    "volunteer": {"category": "volunteer", "points": 2, "per": "hour", "daily_cap": 16, "once_per_item": False},
}
DOUBLE_AWARD = "重复积分冲正"     # note of the reversal of a second award for one item
OVER_CAP = "超出每日上限"         # note of the reversal of what exceeds a daily cap
KEY_MAX = 255                   # LedgerEntry.award_key is a VARCHAR(255)


class BadFact(ValueError):
    """A fact the rules cannot use (a field missing or of the wrong type): logged and skipped."""


# -- running --------------------------------------------------------------------------------------

def catch_up(limit: int | None = None) -> int:
    """Apply every fact not yet applied (at most `limit`); returns how many were applied.  Runs
    on the caller's connection: call it inside db.connection_context() in a thread of your own."""
    done = 0
    while limit is None or done < limit:
        if not _behind():
            break
        with write():
            applied = _round(BATCH if limit is None else min(BATCH, limit - done))
        if not applied:
            break
        done += applied
    return done


class Worker(threading.Thread):
    """catch_up every `every_s` seconds, and soon after notify(); it logs errors and carries on.

    Pushes go first: the rules are asynchronous, and in one process (the bureau on SQLite) each
    round takes the GIL and the write lock from the pushes, which kiosks are waiting on (a rules
    thread beside them quartered the ingest rate).  So while pushes keep notifying, a round waits
    until none has come for `quiet_s`, yet runs at least every `busy_every_s` so confirmations
    still move under a steady load; a pull of members or balances catches up first anyway."""

    def __init__(self, every_s: float = 1.0, quiet_s: float = 0.25, busy_every_s: float = 5.0):
        super().__init__(name="bureau-rules", daemon=True)
        self.every_s, self.quiet_s, self.busy_every_s = every_s, quiet_s, busy_every_s
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.pushed = time.monotonic()      # when notify() was last called

    def run(self) -> None:
        _workers.add(self)
        try:
            while not self.stopping.is_set():
                self.wake.wait(self.every_s)
                last = time.monotonic()
                while self._quiet_or_overdue(last + self.busy_every_s) and self.step():
                    last = time.monotonic()
        finally:
            _workers.discard(self)

    def _quiet_or_overdue(self, due: float) -> bool:
        """Wait until no push has notified for quiet_s, or the monotonic time `due`: False once
        stopping.  It sleeps to the next time the pushes could have paused, and no push wakes
        it meanwhile: waking it on each one cost each push two handoffs of the GIL."""
        while not self.stopping.is_set():
            now = time.monotonic()
            until = min(self.pushed + self.quiet_s, due)
            if now >= until:
                break
            self.stopping.wait(until - now)
        self.wake.clear()
        return not self.stopping.is_set()

    def step(self) -> int:
        """One round: how many facts it applied (0 when none was waiting or it failed)."""
        try:
            with db.connection_context():
                applied = catch_up(BATCH)
            if applied:
                log.info("rules: %d facts applied", applied)
            return applied
        except Exception:
            log.exception("rules: catch_up failed; trying again in %s s", self.every_s)
            return 0

    def notify(self) -> None:
        self.pushed = time.monotonic()
        if not self.wake.is_set():          # set already while the worker waits for a pause
            self.wake.set()

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.wake.set()
        self.join(timeout)


_workers: set[Worker] = set()


def follow(url: str, parent: int, every_s: float = 1.0) -> None:
    """The rules process `python -m bureau serve` starts beside the HTTP workers: in a process of
    its own, the rules never hold the GIL a push needs.  It ends when its parent is gone, even
    killed with SIGKILL, so a restarted bureau never finds an orphan still applying rules."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    open_store(url)
    worker = Worker(every_s)
    worker.start()
    try:
        while os.getppid() == parent and worker.is_alive():
            worker.stopping.wait(every_s)
    finally:
        worker.stop()
        close_store()


def notify() -> None:
    """Wake the running workers of this process (after a push)."""
    for worker in list(_workers):
        worker.notify()


# -- which facts are next ---------------------------------------------------------------------------

@dataclass(slots=True)
class Fact:
    id: int
    event_id: str
    kiosk: int
    epoch: int
    seq: int
    site: int
    kind: str
    skew_ms: int
    skewed: bool
    payload: dict


def _fact(row: tuple) -> Fact:
    fact = Fact(*row)
    fact.event_id = _uuid_text(str(fact.event_id))
    fact.payload = json.loads(fact.payload)
    return fact


def _uuid_text(value: str) -> str:
    """An event_id as kiosks write it: SQLite holds it as 32 hex digits, PostgreSQL as a uuid."""
    if len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()
    return value.lower()


def _behind() -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """Kiosks whose acked (epoch, seq) is past their cursor: {kiosk pk: (cursor, acked)}."""
    cursors: dict[int, tuple[int, int]] = {}
    for kiosk, epoch, seq in _query(_CURSORS):
        cursors[kiosk] = max(cursors.get(kiosk, (0, 0)), (epoch, seq))
    return {kiosk: (cursors.get(kiosk, (0, 0)), (epoch, acked)) for kiosk, epoch, acked in _query(_KIOSKS)
            if cursors.get(kiosk, (0, 0)) < (epoch, acked)}


def _next(n: int) -> tuple[list[Fact], dict[tuple[int, int], int]]:
    """The next `n` facts in Event.id order and the cursors ((kiosk, epoch): seq) after them."""
    behind = _behind()
    # (id, kiosk, epoch, seq) of each kiosk's next facts: the index alone, no payloads yet.
    fetched = {kiosk: _unapplied(kiosk, cursor, n) for kiosk, (cursor, _) in behind.items()}
    # A kiosk read to the limit may have more: nothing past its last id can be taken yet.
    bound = min((found[-1][0] for found in fetched.values() if len(found) == n), default=None)
    taken = [f for f in heapq.merge(*fetched.values()) if bound is None or f[0] <= bound][:n]
    moved: dict[tuple[int, int], int] = {}
    count = {kiosk: 0 for kiosk in fetched}
    for _, kiosk, epoch, seq in taken:
        moved[kiosk, epoch] = seq
        count[kiosk] += 1
    for kiosk, (cursor, acked) in behind.items():
        if count[kiosk] == len(fetched[kiosk]) < n:      # read to its end
            last = max([cursor, *((epoch, seq) for (k, epoch), seq in moved.items() if k == kiosk)])
            if acked > last:
                moved[kiosk, acked[0]] = acked[1]
    ids = [f[0] for f in taken]
    facts = [_fact(row) for chunk in _chunks(ids, 500) for row in _query(_FACTS.format(_marks(len(chunk))), chunk)]
    return sorted(facts, key=lambda f: f.id), moved


def _unapplied(kiosk: int, cursor: tuple[int, int], n: int) -> list[tuple[int, int, int, int]]:
    """The kiosk's first `n` facts after `cursor`: the rest of its epoch, then its later epochs
    (two index ranges: a row-value comparison would read the index from the kiosk's first fact)."""
    epoch, seq = cursor
    found = _query(_EPOCH_REST, (kiosk, epoch, seq, n))
    if len(found) < n:
        found += _query(_LATER_EPOCHS, (kiosk, epoch, n - len(found)))
    return found


def _round(n: int) -> int:
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    facts, cursors = _next(n)
    if not facts and not cursors:
        return 0
    Round(facts).apply()
    _upsert(RuleCursor, ("kiosk_id", "epoch", "seq"), [(k, e, s) for (k, e), s in cursors.items()],
            ("kiosk_id", "epoch"), ("seq",))
    return len(facts)


# -- one round ------------------------------------------------------------------------------------

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


class Round:
    """The facts of one transaction, applied in order; writes wait for flush()."""

    def __init__(self, facts: list[Fact]):
        self.facts = facts
        self.sites = dict(_query("SELECT id, code FROM site"))
        self.rules = _rules()
        self.people: dict[str, Person | None] = {}
        self.owners: dict[str, list[str]] = {}            # id_hash -> member_nos holding it, first first
        self.signins: dict[str, tuple[str, str, str]] = {}  # signin event_id -> (member_no, title, start)
        self.keys: set[str] = set()                         # award keys known taken
        self.free: set[str] = set()                         # award keys known not taken (yet)
        self.held: set[str] = set()                         # the round's points facts already in the ledger
        self.earned: dict[tuple[str, str, date], int] = {}  # (member, category, day) -> net awards
        self.entries: dict[str, tuple[str, str, date, int]] = {}  # entry_id -> (member, kind, day, amount)
        self.dirty: dict[str, Person] = {}
        self.attendance: list[tuple] = []
        self.ledger: list[tuple] = []
        self.balances: list[tuple[str, dict]] = []
        self.devices: dict[tuple[int, str], tuple] = {}
        self.warnings: dict[str, list[str]] = {}            # what went wrong -> an example of each time

    def apply(self) -> None:
        self._load_roster()
        self._prefetch()
        for fact in self.facts:
            handler = _HANDLERS.get(fact.kind)
            if handler is None:
                continue
            try:
                handler(self, fact, fact.payload)
            except BadFact as e:
                self.warn("facts skipped",
                          f"{fact.kind} fact {fact.event_id} (kiosk pk {fact.kiosk} seq {fact.seq}): {e}")
        self.flush()
        # One line a round for each kind of trouble: a backlog of such facts must not flood the log.
        for what, examples in self.warnings.items():
            log.warning("rules: %d %s, e.g. %s", len(examples), what, examples[0])
            log.debug("rules: %s:\n%s", what, "\n".join(examples))

    def warn(self, what: str, example: str) -> None:
        """Note one case of `what` for the round's summary in the log."""
        self.warnings.setdefault(what, []).append(example)

    # -- members

    def _member(self, fact: Fact, p: dict) -> None:
        no = _text(p, "member_no", 32)
        person = self.person(no)
        fields = {"name": _text(p, "name", 255, ""), "gender": _text(p, "gender", 255, ""),
                  "birth_year": _int(p, "birth_year", None), "id_hash": _text(p, "id_hash", 64, None) or None,
                  "id_last4": _text(p, "id_last4", 255, ""), "phone_last4": _text(p, "phone_last4", 255, ""),
                  "joined": _date(p, "joined"), "active": _bool(p, "active", True), "site": fact.site}
        created = person is None
        if created:
            person = self.people[no] = Person(member_no=no, merged_into=None, balance=0, **fields)
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
        self._load_people({_member_no(f) for f in self.facts} - {None})
        carried = {f.payload.get("id_hash") for f in self.facts if f.kind == "member"}
        hashes = sorted({h for h in carried if isinstance(h, str)} - self.owners.keys())
        for chunk in _chunks(hashes, 500):
            found: dict[str, list[str]] = {h: [] for h in chunk}
            for id_hash, no in _query(_HOLDERS_OF.format(_marks(len(chunk))), chunk):
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
        for chunk in _chunks(wanted, 500):
            found = {row[0]: row for row in _query(_MEMBERS.format(_marks(len(chunk))), chunk)}
            for no in chunk:
                self.people[no] = _person(found[no]) if no in found else None

    def owner(self, id_hash: str, other_than: str) -> str | None:
        """The canonical member holding `id_hash` first, other than member `other_than`.  The
        holders read from the store are checked against the round's changes to them."""
        if id_hash not in self.owners:
            self.owners[id_hash] = [no for (no,) in _query(_HOLDERS, (id_hash,))]
        for no in self.owners[id_hash]:
            person = self.person(no)
            if no != other_than and person.id_hash == id_hash and person.merged_into is None:
                return no
        return None

    def canonical(self, no: str, fact: Fact) -> Person:
        """The member `no` counts as, made with the fact's site when the bureau has never heard of it."""
        person = self.person(no)
        if person is None:
            self.warn("members unknown to the bureau, made from a fact with no name",
                      f"{no} from {fact.kind} fact {fact.event_id}")
            person = self.people[no] = Person(no, "", "", None, None, "", "", fact.site, None, True, None, 0)
            self.dirty[no] = person
        return (self.person(person.merged_into) or person) if person.merged_into else person

    def merge(self, alias: Person, into: str, had_history: bool) -> None:
        """Make `alias` one with member `into`: its aliases, sign-ins and entries follow it."""
        log.info("rules: member %s is %s (same id number): merged", alias.member_no, into)
        if had_history:
            self.flush()        # what the round holds of the alias goes in first, then moves with it
            self._move(alias.member_no, into)
        alias.merged_into = into
        self.dirty[alias.member_no] = alias
        self.dirty[into] = self.person(into)

    def _move(self, old: str, into: str) -> None:
        _execute("UPDATE member SET merged_into = ? WHERE merged_into = ?", (into, old))
        for person in self.people.values():
            if person is not None and person.merged_into == old:
                person.merged_into = into
                self.dirty[person.member_no] = person
        _execute("UPDATE attendance SET member_no = ? WHERE member_no = ?", (into, old))
        if _execute("UPDATE ledger_entry SET member_no = ? WHERE member_no = ?", (into, old)):
            self._rebalance(self.person(into))
            self.person(old).balance = 0
        # What the round read of either member's days and sign-ins may have changed hands.
        self.earned.clear()
        self.entries.clear()
        self.signins.clear()

    def _rebalance(self, person: Person) -> None:
        """Running balances of the member's whole ledger again, after another's entries joined it."""
        balance, changed = 0, []
        for entry_id, amount, kind, rule, site, at, reverses, note, balance_after in _query(_LEDGER_OF,
                                                                                              (person.member_no,)):
            balance += amount
            if balance != balance_after:
                _execute("UPDATE ledger_entry SET balance_after = ? WHERE entry_id = ?", (balance, entry_id))
            # Every entry is published again: its member_no or its balance may have changed.
            changed.append((entry_id, self._entry_data(entry_id, person.member_no, amount, kind, rule, site,
                                                       _as_datetime(at), reverses, note, balance)))
        person.balance = balance
        self.balances += changed
        self.dirty[person.member_no] = person

    # -- attendance and devices

    def _signin(self, fact: Fact, p: dict) -> None:
        no = _text(p, "member_no", 32)
        kind, title, method = _text(p, "kind", 16), _text(p, "title", 255), _text(p, "method", 16, "")
        start, at = _datetime(p, "start"), self.corrected(fact, _datetime(p, "at"))
        person = self.person(no)
        member = person.merged_into or no if person else no
        self.attendance.append((fact.event_id, member, fact.site, fact.kiosk, kind, title, start, at, at.date(),
                                method))
        self.signins[fact.event_id] = (member, title, start.isoformat())

    def _device(self, fact: Fact, p: dict) -> None:
        device = _text(p, "device", 64)
        row = (fact.kiosk, device, _text(p, "kind", 32, ""), _text(p, "state", 32), _int(p, "reads", 0) or 0,
               _int(p, "faults", 0) or 0, _int(p, "disconnects", 0) or 0, _text(p, "last_error", 10 ** 6, "")[:200],
               self.corrected(fact, _datetime(p, "at")))
        held = self.devices.get((fact.kiosk, device))
        if held is None or row[-1] > held[-1]:
            self.devices[fact.kiosk, device] = row

    # -- points

    def _points(self, fact: Fact, p: dict) -> None:
        amount, kind = _int(p, "amount"), _text(p, "kind", 32)
        if amount is None:
            raise BadFact("amount is missing")
        if fact.event_id in self.held:
            raise BadFact("its event_id is an entry of the ledger already")
        at = self.corrected(fact, _datetime(p, "at"))
        reverses = _text(p, "reverses", 64, None) or None
        entry = dict(entry_id=fact.event_id, amount=amount, kind=kind, rule=_text(p, "rule", 255, ""),
                     site=fact.site, kiosk=fact.kiosk, reverses=reverses, day=at.date(), at=at,
                     note=_text(p, "reason", 10 ** 6, "")[:255])      # a long reason is cut, not lost
        member = self.canonical(_text(p, "member_no", 32), fact)     # last: it may make a member
        if kind not in AWARD_KINDS or amount <= 0:
            self.enter(member, **entry)
            if reverses:
                self._undone(reverses, amount)
            if member.balance < 0:
                log.warning("rules: member %s has a negative balance %d after %s entry %s (for staff to review)",
                            member.member_no, member.balance, kind, fact.event_id)
            return
        rule = self.rules.get(kind, DEFAULT_RULES.get(kind))
        key = self._award_key(kind, member.member_no, p.get("signin"), rule)
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

    def enter(self, member: Person, entry_id: str, amount: int, kind: str, rule: str, site: int | None,
              kiosk: int | None, reverses: str | None, day: date, at: datetime, note: str,
              award_key: str | None = None) -> None:
        member.balance += amount
        self.dirty[member.member_no] = member
        self.ledger.append((entry_id, member.member_no, amount, kind, rule, site, kiosk, reverses, day, award_key,
                            member.balance, note, at, utcnow()))
        self.entries[entry_id] = (member.member_no, kind, day, amount)
        self.balances.append((entry_id, self._entry_data(entry_id, member.member_no, amount, kind, rule, site,
                                                         at, reverses, note, member.balance)))

    def _entry_data(self, entry_id: str, member_no: str, amount: int, kind: str, rule: str, site: int | None,
                    at: datetime, reverses: str | None, note: str, balance: int) -> dict:
        return {"entry_id": entry_id, "member_no": member_no, "amount": amount, "kind": kind, "rule": rule,
                "site": self.sites.get(site), "at": at.isoformat(), "reverses": reverses, "note": note,
                "balance": balance}

    def _reversal(self, entry: dict, amount: int, note: str) -> dict:
        return dict(entry, entry_id=str(uuid.uuid4()), amount=-amount, kind="reversal", reverses=entry["entry_id"],
                    note=note)

    def _award_key(self, category: str, member_no: str, signin, rule: dict | None) -> str | None:
        """category|member|title|start of the sign-in the award is for (None: no once-per-item check)."""
        if not isinstance(signin, str) or not (rule or {}).get("once_per_item", True):
            return None
        signin = signin.lower()
        if signin not in self.signins:
            self._load_signins([signin])
        if signin not in self.signins:
            self.warn("awards naming a sign-in the bureau does not hold, with no once-per-item check",
                      f"sign-in {signin}")
            return None
        _, title, start = self.signins[signin]
        return _award_key(category, member_no, title, start)

    def _load_signins(self, event_ids: list[str]) -> None:
        for chunk in _chunks(event_ids, 500):
            for event_id, member_no, title, start in _query(_SIGNINS.format(_marks(len(chunk))), chunk):
                self.signins[event_id] = (member_no, title, _as_datetime(start).isoformat())

    def _taken(self, key: str) -> bool:
        if key not in self.keys and key not in self.free:
            if _query("SELECT 1 FROM ledger_entry WHERE award_key = ?", (key,)):
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
            if fact.kind == "signin":
                with suppress(BadFact):
                    p = fact.payload
                    self.signins[fact.event_id] = (_text(p, "member_no", 32), _text(p, "title", 255),
                                                   _datetime(p, "start").isoformat())
        points = [f.event_id for f in self.facts if f.kind == "points"]
        for chunk in _chunks(points, 500):      # a kiosk's fact can never overwrite an entry
            self.held.update(e for (e,) in _query(_HELD.format(_marks(len(chunk))), chunk))
        awards = self._awards()
        named = {s.lower() for *_, s in awards if isinstance(s, str)}
        self._load_signins(sorted(named - self.signins.keys()))
        self._read_keys({_award_key(kind, member, *self.signins[s.lower()][1:]) for member, kind, _, s in awards
                         if isinstance(s, str) and s.lower() in self.signins})
        self._read_days({(member, kind, day) for member, kind, day, _ in awards})

    def _awards(self) -> list[tuple[str, str, date, object]]:
        """(member, category, business day, signin) of the round's awards, the member as it stands."""
        awards = []
        for fact in self.facts:
            p = fact.payload
            if fact.kind == "points" and p.get("kind") in AWARD_KINDS and isinstance(p.get("member_no"), str):
                with suppress(BadFact):
                    person = self.people.get(p["member_no"])
                    member = person.merged_into or person.member_no if person else p["member_no"]
                    day = self.corrected(fact, _datetime(p, "at")).date()
                    awards.append((member, p["kind"], day, p.get("signin")))
        return awards

    def _read_keys(self, keys: set[str]) -> None:
        for chunk in _chunks(sorted(keys), 500):
            self.keys.update(k for (k,) in _query(_TAKEN.format(_marks(len(chunk))), chunk))
        self.free |= keys - self.keys

    def _read_days(self, days: set[tuple[str, str, date]]) -> None:
        earned = dict.fromkeys(days, 0)
        dates = sorted({day for _, _, day in days})
        for chunk in _chunks(sorted({member for member, _, _ in days}), 400):
            for member, kind, day, net in _query(_EARNED_ON.format(_marks(len(chunk)), _marks(len(dates))),
                                                 (*chunk, *dates)):
                key = (member, kind, _as_date(day))
                if key in earned:
                    earned[key] += net
        self.earned.update(earned)

    def _earned(self, key: tuple[str, str, date]) -> int:
        """What the member's awards of a category came to on a day, after their reversals."""
        if key not in self.earned:
            self.earned[key] = _query(_EARNED, (*key, *key))[0][0]
        return self.earned[key]

    def _undone(self, entry_id: str, amount: int) -> None:
        """A kiosk's correction of an award lowers what that day's cap counts."""
        if entry_id not in self.entries:
            row = _query("SELECT member_no, kind, business_day, amount FROM ledger_entry WHERE entry_id = ?",
                         (entry_id,))
            if not row:
                return
            member, kind, day, was = row[0]
            self.entries[entry_id] = (member, kind, _as_date(day), was)
        member, kind, day, _ = self.entries[entry_id]
        if kind in AWARD_KINDS:
            self.earned[member, kind, day] = self._earned((member, kind, day)) + amount

    # -- time

    def corrected(self, fact: Fact, at: datetime) -> datetime:
        """`at` on the bureau's clock when the kiosk's clock was off (see the module's docstring)."""
        return at - timedelta(milliseconds=fact.skew_ms) if fact.skewed else at

    # -- writing

    def flush(self) -> None:
        """Write what the round changed so far, and publish it."""
        people = list(self.dirty.values())
        _upsert(Member, _MEMBER_COLUMNS, [_member_row(p) for p in people], ("member_no",), _MEMBER_COLUMNS[1:])
        _insert(Attendance, _ATTENDANCE_COLUMNS, self.attendance, ("event_id",))
        _insert(LedgerEntry, _LEDGER_COLUMNS, self.ledger)
        _upsert(DeviceState, _DEVICE_COLUMNS, list(self.devices.values()), ("kiosk_id", "device"),
                _DEVICE_COLUMNS[2:], newer="at")
        _publish("members", [(p.member_no, self._member_data(p)) for p in people])
        _publish("balances", self.balances)
        self.dirty, self.attendance, self.ledger, self.balances, self.devices = {}, [], [], [], {}

    def _member_data(self, p: Person) -> dict:
        return {"member_no": p.member_no, "name": p.name, "gender": p.gender, "birth_year": p.birth_year,
                "id_hash": p.id_hash, "id_last4": p.id_last4, "phone_last4": p.phone_last4,
                "site": self.sites.get(p.site), "joined": p.joined.isoformat() if p.joined else None,
                "active": p.active, "merged_into": p.merged_into, "balance": p.balance}


_HANDLERS = {"member": Round._member, "signin": Round._signin, "device": Round._device, "points": Round._points}


def _award_key(category: str, member_no: str, title: str, start: str) -> str:
    """Once per member per item: an item is known bureau-wide by its title and start."""
    key = f"{category}|{member_no}|{title}|{start}"
    if len(key) > KEY_MAX:          # a very long title: its digest keeps the key unique
        key = f"{category}|{member_no}|{uuid.uuid5(uuid.NAMESPACE_URL, title)}|{start}"
    return key


def _rules() -> dict[str, dict]:
    """The bureau's points rules by category (the "rules" stream)."""
    found = {}
    for entity_id, text in _query("SELECT entity_id, data FROM stream_row WHERE stream = 'rules' AND NOT deleted"):
        data = json.loads(text)
        cap = data.get("daily_cap") if isinstance(data, dict) else None
        if type(cap) is int and cap >= 0 and isinstance(data.get("once_per_item", True), bool):
            found[entity_id] = data
        else:       # the kiosk's default stands: a bad rule must not stop the ledger
            log.warning("rules: the published rule %s is not usable: %s", entity_id, text[:200])
    return found


# -- payload fields --------------------------------------------------------------------------------

_MISSING = object()


def _member_no(fact: Fact) -> str | None:
    no = fact.payload.get("member_no") if fact.kind in ("member", "signin", "points") else None
    return no if isinstance(no, str) else None


def _text(p: dict, name: str, longest: int, default=_MISSING):
    value = p.get(name)
    if value is None and default is not _MISSING:
        return default
    if not isinstance(value, str) or not value and default is _MISSING or len(value) > longest:
        raise BadFact(f"{name}: a text of at most {longest} characters is needed, not {str(value)[:40]!r}")
    if "\x00" in value:            # PostgreSQL refuses it in text: the round would fail on every try
        raise BadFact(f"{name}: a NUL character")
    return value


def _int(p: dict, name: str, default=None) -> int | None:
    value = p.get(name)
    if value is None:
        return default
    if type(value) is not int or abs(value) > 2 ** 31 - 1:
        raise BadFact(f"{name}: a whole number is needed, not {str(value)[:40]!r}")
    return value


def _bool(p: dict, name: str, default: bool) -> bool:
    value = p.get(name, default)
    if not isinstance(value, bool | int):
        raise BadFact(f"{name}: true or false is needed, not {str(value)[:40]!r}")
    return bool(value)


def _datetime(p: dict, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(p[name])
    except (KeyError, TypeError, ValueError):
        raise BadFact(f"{name}: an ISO date and time is needed, not {str(p.get(name))[:40]!r}") from None
    return value.replace(tzinfo=None)       # kiosk local time, as it wrote it


def _date(p: dict, name: str) -> date | None:
    if p.get(name) is None:
        return None
    try:
        return date.fromisoformat(p[name])
    except (TypeError, ValueError):
        raise BadFact(f"{name}: an ISO date is needed, not {str(p.get(name))[:40]!r}") from None


# -- SQL -------------------------------------------------------------------------------------------
# Plain SQL text with "?" marks (made "%s" for PostgreSQL): a round runs a few dozen statements,
# and building each with peewee's expressions would cost more than running it.

_CURSORS = "SELECT kiosk_id, epoch, seq FROM rule_cursor"
_KIOSKS = "SELECT id, epoch, acked_seq FROM kiosk"
_EPOCH_REST = """
    SELECT id, kiosk_id, epoch, seq FROM event WHERE kiosk_id = ? AND epoch = ? AND seq > ? ORDER BY seq LIMIT ?"""
_LATER_EPOCHS = """
    SELECT id, kiosk_id, epoch, seq FROM event WHERE kiosk_id = ? AND epoch > ? ORDER BY epoch, seq LIMIT ?"""
_FACTS = """
    SELECT id, event_id, kiosk_id, epoch, seq, site_id, kind, skew_ms, skewed, payload FROM event
    WHERE id IN ({})"""
_MEMBER_COLUMNS = ("member_no", "name", "gender", "birth_year", "id_hash", "id_last4", "phone_last4", "site_id",
                   "joined", "active", "merged_into", "balance", "updated_at")
_MEMBERS = f"SELECT {', '.join(_MEMBER_COLUMNS[:-1])} FROM member WHERE member_no IN ({{}})"
_HOLDERS = "SELECT member_no FROM member WHERE id_hash = ? AND merged_into IS NULL ORDER BY id"
_HOLDERS_OF = "SELECT id_hash, member_no FROM member WHERE id_hash IN ({}) AND merged_into IS NULL ORDER BY id"
_ATTENDANCE_COLUMNS = ("event_id", "member_no", "site_id", "kiosk_id", "kind", "title", "start", "at",
                       "business_day", "method")
_LEDGER_COLUMNS = ("entry_id", "member_no", "amount", "kind", "rule", "site_id", "kiosk_id", "reverses",
                   "business_day", "award_key", "balance_after", "note", "at", "recorded_at")
_LEDGER_OF = """
    SELECT entry_id, amount, kind, rule, site_id, at, reverses, note, balance_after FROM ledger_entry
    WHERE member_no = ? ORDER BY id"""
_STREAM_COLUMNS = ("stream", "entity_id", "rev", "scope", "deleted", "data", "crc", "changed_at")
_DEVICE_COLUMNS = ("kiosk_id", "device", "kind", "state", "reads", "faults", "disconnects", "last_error", "at")
_SIGNINS = "SELECT event_id, member_no, title, start FROM attendance WHERE event_id IN ({})"
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


def _sql(text: str) -> str:
    return text if is_sqlite() else text.replace("?", "%s")


def _query(text: str, params=()) -> list[tuple]:
    return db.execute_sql(_sql(text), params).fetchall()


def _execute(text: str, params=()) -> int:
    return db.execute_sql(_sql(text), params).rowcount


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _insert(model, columns: tuple[str, ...], rows: list[tuple], ignore: tuple[str, ...] = ()) -> None:
    conflict = f" ON CONFLICT ({', '.join(ignore)}) DO NOTHING" if ignore else ""
    _write_rows(model, columns, rows, conflict)


def _upsert(model, columns: tuple[str, ...], rows: list[tuple], key: tuple[str, ...], update: tuple[str, ...],
            newer: str | None = None) -> None:
    table = model._meta.table_name
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    where = f' WHERE excluded."{newer}" > "{table}"."{newer}"' if newer else ""
    _write_rows(model, columns, rows, f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}{where}")


def _write_rows(model, columns: tuple[str, ...], rows: list[tuple], tail: str) -> None:
    head = f'INSERT INTO "{model._meta.table_name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) VALUES '
    one = f"({_marks(len(columns))})"
    for chunk in _chunks(rows, 500):
        _execute(head + ", ".join([one] * len(chunk)) + tail, [v for row in chunk for v in row])


def _publish(stream: str, items: list[tuple[str, dict]]) -> None:
    """streams.publish for many entities at once: the stream locked once, one rev each in order
    (an entity published twice keeps its last value, at the later rev)."""
    if not items:
        return
    latest = dict(items)
    order = list(dict.fromkeys(entity for entity, _ in reversed(items)))[::-1]
    head = streams.lock(stream).head_rev
    now, rows = utcnow(), []
    for rev, entity in enumerate(order, head + 1):
        text = streams.canonical(latest[entity])
        rows.append((stream, entity, rev, "", False, text, streams.crc(entity, text), now))
    _execute("UPDATE stream_meta SET head_rev = ? WHERE stream = ?", (head + len(rows), stream))
    _upsert(StreamRow, _STREAM_COLUMNS, rows, ("stream", "entity_id"), _STREAM_COLUMNS[2:])


def _member_row(p: Person) -> tuple:
    return (p.member_no, p.name, p.gender, p.birth_year, p.id_hash, p.id_last4, p.phone_last4, p.site, p.joined,
            p.active, p.merged_into, p.balance, utcnow())


def _person(row: tuple) -> Person:
    no, name, gender, birth_year, id_hash, id_last4, phone_last4, site, joined, active, merged_into, balance = row
    return Person(no, name, gender, birth_year, id_hash, id_last4, phone_last4, site, _as_date(joined),
                  bool(active), merged_into, balance)


def _as_date(value) -> date | None:
    return Member.joined.python_value(value)


def _as_datetime(value) -> datetime:
    return Attendance.start.python_value(value)


