"""No fact stops the bureau's rules, on both stores: the attacks that once stalled every
confirmation and made every kiosk's members/balances pull a 500 (a 5,000-digit integer, a clock of
2^62 ms, maximal corrections) are refused at the push or dead-lettered by the rules, which go on;
a fact the store itself refuses is dead-lettered alone; a pull serves what it has while the rules
fail; operators list the dead letters and skip a fact (python -m bureau rules dead | skip)."""

import json
import time
from datetime import datetime

import pytest
from uuid6 import uuid7

from bureau import reports, rules
from bureau.auth import as_utc
from bureau.models import Attendance, Event, EventReject, Kiosk, LedgerEntry, Member
from bureau.store import is_sqlite, write
from contract.points import BALANCE_MAX, ENTRY_MAX
from tests.kiosk.builders import MEMBER_PREFIX

from .conftest import SITE, Client, batch, cli, fact, wait_until
from .test_rules import Till, member_fact, points_fact, signin_fact, sites  # noqa: F401

START, AT = datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 20, 9, 1)  # a lesson, and a sign-in to it
WAIT_S = 60
P1, P2 = f"{MEMBER_PREFIX}P1", f"{MEMBER_PREFIX}P2"  # numbers of the kiosk fixture's site: its prefix


class Pusher:
    """One kiosk pushing through the real server: its next seq, and what the bureau answered."""

    def __init__(self, client: Client):
        self.client, self.seq = client, 0

    def facts(self, *kinds_and_payloads: tuple[str, dict]) -> list[dict]:
        made = []
        for kind, payload in kinds_and_payloads:
            self.seq += 1
            made.append(fact(self.seq, kind, {**payload, "site": SITE}))
        return made

    def push(self, *kinds_and_payloads: tuple[str, dict], **fields) -> dict:
        reply = self.client.push({**batch(self.client.kiosk_id, self.facts(*kinds_and_payloads)), **fields})
        assert reply.status_code == 200, reply.text
        return reply.json()

    def push_raw(self, body: bytes) -> dict:
        reply = self.client.send("POST", "/v1/push", body)
        assert reply.status_code == 200, reply.text
        return reply.json()


def award(member_no: str, amount: int = 2) -> list[tuple[str, dict]]:
    """A sign-in and its award, as a kiosk writes them (the sign-in's "_id" is its event_id)."""
    signin = str(uuid7())
    kind, payload = signin_fact(member_no, "太极拳", START, AT)
    return [(kind, {**payload, "_id": signin}), points_fact(member_no, amount, "lesson", AT, signin=signin)]


def correction(member_no: str, amount: int) -> tuple[str, dict]:
    return points_fact(member_no, amount, "correction", AT, reason="补录")


def with_ids(kiosk: Pusher, facts: list[tuple[str, dict]]) -> dict:
    """Push `facts`, an "_id" in a payload naming its event_id: the reply."""
    events = kiosk.facts(*[(k, {n: v for n, v in p.items() if n != "_id"}) for k, p in facts])
    for event, (_, payload) in zip(events, facts):
        if "_id" in payload:
            event["event_id"] = payload["_id"]
    reply = kiosk.client.push(batch(kiosk.client.kiosk_id, events))
    assert reply.status_code == 200, reply.text
    return reply.json()


def pulls_answer(client: Client) -> dict[str, list]:
    """A pull of members and of balances: both answer 200 (their items by stream)."""
    items = {}
    for stream in ("members", "balances"):
        reply = client.send("GET", f"/v1/pull?stream={stream}&limit=1000")
        assert reply.status_code == 200, reply.text
        items[stream] = reply.json()["items"]
    return items


def confirmed(member_no: str, balance: int) -> None:
    """Wait for the rules (the server's worker) to confirm `member_no` at `balance`."""
    wait_until(
        lambda: Member.get_or_none(Member.member_no == member_no, Member.balance == balance),
        WAIT_S,
        f"{member_no}'s balance {balance} to be confirmed",
    )


def dead_listing(store_url: str, tmp_path) -> dict[str, list[str]]:
    """`python -m bureau rules dead`, by event id: kiosk, kind, code, reason, time."""
    done = cli(store_url, "rules", "dead", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    header, *lines = done.stdout.splitlines()
    assert header.split("\t") == ["event_id", "kiosk", "kind", "code", "reason", "at"]
    return {cells[0]: cells[1:] for cells in (line.split("\t") for line in lines)}


@pytest.fixture
def pusher(client) -> Pusher:
    return Pusher(client)


# --- the attacks, through a real server -----------------------------------------------------------


def test_a_5000_digit_integer_is_refused_at_the_push_and_the_rules_go_on(pusher, client, store_url, tmp_path):
    events = pusher.facts(
        member_fact("P1", None, birth_year=0),  # the number spliced in below: json.dumps cannot write it
        member_fact("P2", None, junk=0),  # a field no schema has: skipped, never built
    )
    body = json.dumps(batch(client.kiosk_id, events), ensure_ascii=False).encode()
    body = body.replace(b'"birth_year": 0', b'"birth_year": ' + b"1" * 5000, 1)
    body = body.replace(b'"junk": 0', b'"junk": ' + b"1" * 5000, 1)
    reply = pusher.push_raw(body)
    assert (reply["inserted"], [(r["seq"], r["code"]) for r in reply["rejected"]]) == (1, [(1, "invalid")])
    assert "birth_year" in reply["rejected"][0]["reason"] and "out of range" in reply["rejected"][0]["reason"]

    # The facts behind it are confirmed, and every kiosk's pulls answer.
    assert with_ids(pusher, award("P2", 2))["rejected"] == []
    confirmed("P2", 2)
    items = pulls_answer(client)
    assert {i["id"] for i in items["members"]} == {"P2"} and [i["data"]["balance"] for i in items["balances"]] == [2]
    assert dead_listing(store_url, tmp_path)[events[0]["event_id"]][:3] == [client.kiosk_id, "member", "invalid"]


def test_a_clock_of_2_62_ms_is_refused_and_one_stored_before_does_not_stop_the_rules(pusher, client, kiosk):
    refused = client.push({**batch(client.kiosk_id, pusher.facts(*award("P1"))), "sent_ms": 2**62})
    assert refused.status_code == 400 and "sent_ms" in refused.json()["detail"]
    pusher.seq = 0  # nothing of it was taken

    # The same skew as an older bureau stored it, unchecked: the rules apply the fact anyway, with
    # its time as the kiosk wrote it (a time moved by 2^62 ms is no time).
    signin = store_unchecked(kiosk, 1, *signin_fact("P1", "太极拳", START, AT), skew_ms=2**62)
    pusher.seq = 1
    assert with_ids(pusher, award("P2", 2))["rejected"] == []
    confirmed("P2", 2)
    assert Attendance.get(Attendance.event_id == signin).at == AT
    pulls_answer(client)


def test_maximal_corrections_are_refused_and_no_balance_passes_its_bound(pusher, client, store_url, tmp_path):
    reply = pusher.push(member_fact("P1", None), correction("P1", 2**31 - 1), correction("P1", 2**31 - 1))
    assert [(r["seq"], r["code"]) for r in reply["rejected"]] == [(2, "invalid"), (3, "invalid")]
    assert all("amount" in r["reason"] for r in reply["rejected"])

    # Corrections within the bound of one entry: the one that would take the balance past
    # BALANCE_MAX is dead-lettered by the rules, and what comes after it is applied.
    many = BALANCE_MAX // ENTRY_MAX + 1
    reply = pusher.push(*[correction("P1", ENTRY_MAX) for _ in range(many)], correction("P1", -5))
    assert reply["rejected"] == []
    assert with_ids(pusher, award("P2", 2))["rejected"] == []
    confirmed("P2", 2)
    confirmed("P1", BALANCE_MAX - 5)
    assert LedgerEntry.select().where(LedgerEntry.member_no == "P1").count() == many
    over = EventReject.get(EventReject.seq == 3 + many)
    assert (over.code, over.reason) == (
        "unusable",
        f"an entry of {ENTRY_MAX} would take the balance {BALANCE_MAX} past ±{BALANCE_MAX}",
    )
    listed = dead_listing(store_url, tmp_path)[over.event_id]
    assert listed[:4] == [client.kiosk_id, "points", "unusable", over.reason]
    balances = {i["data"]["member_no"]: i["data"]["balance"] for i in pulls_answer(client)["balances"]}
    assert balances == {"P1": BALANCE_MAX - 5, "P2": 2}


def test_a_pull_serves_the_stream_as_it_stands_while_the_rules_fail(pusher, client, store, server):
    pusher.push(member_fact(P1, None))
    confirmed(P1, 0)
    refuse_cursors_past(store, 1)  # the store now refuses every round's end: the rules fail
    pusher.push(member_fact(P2, None))
    items = pulls_answer(client)
    assert {i["id"] for i in items["members"]} == {P1}  # as it stands: P2 waits
    wait_until(lambda: "serving the stream as it stands" in server.log.read_text(), WAIT_S, "the failure logged")
    allow_cursors(store)
    wait_until(lambda: Member.get_or_none(Member.member_no == P2), WAIT_S, "the rules to go on")
    assert {i["id"] for i in pulls_answer(client)["members"]} == {P1, P2}


# --- the rules' own dead letters --------------------------------------------------------------------


def test_a_fact_the_store_refuses_is_dead_lettered_alone_and_its_round_goes_on(store, sites, caplog):
    till = Till(SITE)
    refuse_member_named(store, "毒")
    ids = till.push(member_fact("A1", None), member_fact("A2", None, name="毒"), member_fact("A3", None))
    assert rules.catch_up() == 3
    assert sorted(m.member_no for m in Member.select()) == ["A1", "A3"]
    dead = EventReject.get()
    assert (dead.event_id, dead.code) == (ids[1], "unusable") and "the rules failed on it" in dead.reason
    assert "applying them one by one" in caplog.text
    assert rules.catch_up() == 0  # nothing left behind: the cursor moved past it


def test_rules_skip_and_rules_dead(store, sites, store_url, tmp_path):
    till = Till(SITE)
    (stuck,) = till.push(member_fact("AS1", None))  # a number of SITE, whose prefix is A
    done = cli(store_url, "rules", "skip", stuck.upper(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"member fact {stuck} (seq 1): skipped by operator"
    (after,) = till.push(member_fact("AS2", None))
    assert rules.catch_up() == 2
    assert [m.member_no for m in Member.select()] == ["AS2"]  # the skipped fact was passed over
    listed = dead_listing(store_url, tmp_path)
    assert list(listed) == [stuck] and listed[stuck][:4] == [
        till.kiosk.kiosk_id,
        "member",
        "skipped",
        "skipped by operator",
    ]

    for event_id, why in [
        (stuck, "dead-lettered already"),
        (after, "applied already"),
        (str(uuid7()), "no fact"),
        ("nonsense", "not an event id"),
    ]:
        done = cli(store_url, "rules", "skip", event_id, cwd=tmp_path)
        assert done.returncode == 2 and why in done.stderr, (event_id, done.stderr)
    assert EventReject.select().count() == 1


# --- L7: control characters never reach an operator's terminal ------------------------------------


def test_a_name_with_terminal_escapes_is_refused_and_one_stored_before_is_printed_without_them(
    pusher, client, store, store_url, tmp_path
):
    escape = "\x1b]0;pwned\x07\x1b[2J\x1b[31m红字\x1b[0m"
    reply = pusher.push(member_fact("E1", None, name=escape))
    assert [(r["code"], r["reason"]) for r in reply["rejected"]] == [
        ("invalid", "payload: name holds a control character")
    ]

    with write():  # as a bureau stored it before names were checked
        Member.create(member_no="E2", name=escape, site=Kiosk.get().site, updated_at=as_utc(time.time()))
    done = cli(store_url, "report", "care", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "]0;pwned[2J[31m红字[0m" in done.stdout and not any(c in done.stdout for c in "\x1b\x07\x9b")
    assert reports.printable("a\tb\x9b31m\x00c") == "ab31mc"


# --- helpers that stand in for an older bureau or an unforeseen refusal of the store ---------------


def store_unchecked(kiosk, seq: int, kind: str, payload: dict, skew_ms: int = 0) -> str:
    """A fact as a bureau stored it before ingest checked payloads and bounded skews: its event_id."""
    event_id, now = str(uuid7()), time.time()
    with write():
        Event.create(
            event_id=event_id,
            kiosk=kiosk.id,
            epoch=1,
            seq=seq,
            site=kiosk.site_id,
            kind=kind,
            schema_v=1,
            wall_ms=int(now * 1000),
            received_at=as_utc(now),
            skew_ms=skew_ms,
            skewed=skew_ms != 0,
            payload=json.dumps({**payload, "site": SITE}, ensure_ascii=False),
        )
        Kiosk.update(acked_seq=seq, head_seq=seq).where(Kiosk.id == kiosk.id).execute()
    return event_id


def refuse_member_named(database, name: str) -> None:
    """The store refuses a member of this name: an error the rules cannot foresee."""
    with write():
        if is_sqlite():
            database.execute_sql(
                "CREATE TRIGGER refuse_name BEFORE INSERT ON member WHEN NEW.name = ? "
                "BEGIN SELECT RAISE(ABORT, 'refused by the store'); END".replace("?", f"'{name}'")
            )
        else:
            database.execute_sql(f"ALTER TABLE member ADD CONSTRAINT refuse_name CHECK (name <> '{name}')")


def refuse_cursors_past(database, seq: int) -> None:
    """The store refuses to move any rule cursor past `seq`: every round fails at its end."""
    with write():
        if is_sqlite():
            for event in ("INSERT", "UPDATE"):
                database.execute_sql(
                    f"CREATE TRIGGER stall_{event.lower()} BEFORE {event} ON rule_cursor WHEN NEW.seq > {seq} "
                    "BEGIN SELECT RAISE(ABORT, 'stalled'); END"
                )
        else:
            database.execute_sql(f"ALTER TABLE rule_cursor ADD CONSTRAINT stall CHECK (seq <= {seq})")


def allow_cursors(database) -> None:
    with write():
        if is_sqlite():
            database.execute_sql("DROP TRIGGER stall_insert")
            database.execute_sql("DROP TRIGGER stall_update")
        else:
            database.execute_sql("ALTER TABLE rule_cursor DROP CONSTRAINT stall")
