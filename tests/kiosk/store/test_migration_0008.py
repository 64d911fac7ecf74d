"""Migration 0008, an id_hash alone: a kiosk.db of version 7, as kiosks hold them, is upgraded, and
an attack on it (the ID number from kiosk.db and the site file, docs/design.md §9.1) has nothing left
to narrow its search with; each guess now costs a full slow derivation (contract.idhash)."""

import base64
import hashlib
import hmac
import json
from datetime import date, datetime, timedelta

import pytest

from contract import idhash
from kiosk.checkin.signin import CheckIn
from kiosk.identity import ids
from kiosk.store import migrations
from kiosk.store.db import open_db
from kiosk.store.models import Member
from tests.kiosk.builders import ID_NOT_REGISTERED, ID_WANG, World

NOW = datetime(2026, 11, 21, 9, 30)
# The attack's search: the 16 district codes of Beijing (GB/T 2260), the province it knows.
BEIJING = tuple(f"1101{n:02d}" for n in (1, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19))
ID_BEIJING = "11010519491003" + "530"  # DM0001 of the demo roster: born 1949-10-03 in 朝阳区
ID_BEIJING += ids.check_char(ID_BEIJING)


@pytest.fixture
def version_7(settings, monkeypatch):
    """A kiosk.db at version 7 holding what kiosks then kept: the plain HMAC beside the last 4, the
    birth year and date and the address, in the member row, an unregistered card, the audit trail
    and the outbox's facts.  Returns the open database, not yet migrated further."""
    real = migrations.scripts()
    monkeypatch.setattr(migrations, "scripts", lambda: [s for s in real if s[0] <= 7])
    database = open_db(settings.kiosk.data_dir)
    monkeypatch.setattr(migrations, "scripts", lambda: real)
    key = bytes.fromhex(settings.security.id_hash_key)
    plain = {n: hmac.new(key, n.encode(), hashlib.sha256).hexdigest() for n in (ID_WANG, ID_BEIJING)}
    sql = database.execute_sql
    sql("INSERT INTO site (code, name, kind, address) VALUES (?, '测试中心', 'center', '')", (settings.site.code,))
    for no, number, born in (("DM9001", ID_WANG, "1988-06-01"), ("DM0001", ID_BEIJING, "1949-10-03")):
        sql(
            "INSERT INTO member (member_no, name, id_hash, id_last4, gender, birth_year, phone_last4, site_id,"
            " card_issue, points_confirmed, active, birth_date, address)"
            " VALUES (?, '王建华', ?, ?, '男', ?, '8000', 1, 1, 0, 1, ?, '北京市朝阳区幸福路 1 号')",
            (no, plain[number], number[-4:], int(born[:4]), born),
        )
        fact = {"member_no": no, "name": "王建华", "id_hash": plain[number], "id_last4": number[-4:]}
        outbox(sql, f"m-{no}", "member", {**fact, "birth_year": int(born[:4]), "site": settings.site.code})
    sql(
        "INSERT INTO newcomer_card (id_hash, id_last4, at, card_type, name, name_flagged, gender, birth_date,"
        " nation, address, valid_to, long_term) VALUES (?, ?, ?, 'resident', '刘桂兰', 0, '2', '1999-01-10', '01',"
        " '天津市河西区友谊路 1 号', NULL, 1)",
        (hmac.new(key, ID_NOT_REGISTERED.encode(), hashlib.sha256).hexdigest(), ID_NOT_REGISTERED[-4:], NOW),
    )
    detail = {"member_no": "DM9001", "id_last4": ID_WANG[-4:], "phone_last4": "8000"}
    sql(
        "INSERT INTO audit (event_id, at, staff_name, action, target, reason, detail)"
        " VALUES ('a-1', ?, '李红', 'member.register', 'member DM9001', '', ?)",
        (NOW, json.dumps(detail, ensure_ascii=False)),
    )
    outbox(sql, "a-1", "audit", {"action": "member.register", "detail": detail})
    yield database
    database.close()


def outbox(sql, event_id: str, kind: str, payload: dict) -> None:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    sql(
        "INSERT INTO outbox (event_id, kind, schema_v, wall_ms, payload, state) VALUES (?, ?, 1, 0, ?, 'acked')",
        (event_id, kind, text),
    )


def known_attack(database, key: bytes) -> list[str]:
    """The search that recovered a number in 0.4 s: for each member with a last 4 and a birth year
    beside its hash, the province's region codes × the days of that year, candidates with the
    right check character, one HMAC each.  The numbers found."""
    found = []
    columns = {c.name for c in database.get_columns("member")}
    if not {"id_last4", "birth_year"} <= columns:
        return found
    rows = database.execute_sql("SELECT id_hash, id_last4, birth_year FROM member WHERE id_hash IS NOT NULL")
    for target, last4, year in rows.fetchall():
        day = date(year, 1, 1)
        while day.year == year:
            for region in BEIJING:
                first17 = f"{region}{day:%Y%m%d}{last4[:3]}"
                if ids.check_char(first17) == last4[3]:
                    candidate = first17 + last4[3]
                    if hmac.new(key, candidate.encode(), hashlib.sha256).hexdigest() == target:
                        found.append(candidate)
            day += timedelta(days=1)
    return found


def narrowing(database) -> dict[str, list]:
    """Everything at rest beside an id_hash that narrows a search for its number."""
    fields = ("id_last4", "birth_year", "birth_date", "address")
    held = {
        table: [c.name for c in database.get_columns(table) if c.name in fields]
        for table in ("member", "newcomer_card")
    }
    for (payload,) in database.execute_sql("SELECT payload FROM outbox").fetchall():
        data = json.loads(payload)
        held.setdefault("outbox", []).extend(k for k in fields if k in data or k in data.get("detail", {}))
    for (detail,) in database.execute_sql("SELECT detail FROM audit").fetchall():
        held.setdefault("audit", []).extend(k for k in fields if k in json.loads(detail))
    return {where: sorted(set(found)) for where, found in held.items() if found}


def test_the_attack_recovered_a_number_from_a_version_7_kiosk(settings, version_7):
    key = bytes.fromhex(settings.security.id_hash_key)
    assert known_attack(version_7, key) == [ID_BEIJING]  # ID_WANG's region (120103) is not in Beijing
    assert narrowing(version_7)


def test_after_0008_nothing_narrows_the_search_and_each_guess_costs_a_derivation(settings, version_7):
    key = bytes.fromhex(settings.security.id_hash_key)
    migrations.migrate(version_7)
    assert narrowing(version_7) == {}
    assert known_attack(version_7, key) == []
    stored = version_7.execute_sql("SELECT id_hash FROM member WHERE member_no = 'DM0001'").fetchone()[0]
    # The HMAC of the right number no longer matches: a guess needs scrypt at the configured cost.
    assert stored != hmac.new(key, ID_BEIJING.encode(), hashlib.sha256).hexdigest()
    keyed = hmac.new(key, ID_BEIJING.encode(), hashlib.sha256).digest()
    assert (idhash.N, idhash.R, idhash.P) == (2**12, 8, 1)  # 4 MiB and ~10 ms of CPU a guess
    expected = hashlib.scrypt(keyed, salt=idhash.SALT, n=2**12, r=8, p=1, dklen=32)
    assert stored == base64.urlsafe_b64encode(expected).rstrip(b"=").decode()


def test_0008_upgrades_every_hash_and_a_card_read_afterwards_still_finds_the_member(settings, version_7):
    migrations.migrate(version_7)
    key = bytes.fromhex(settings.security.id_hash_key)
    for no, number in (("DM9001", ID_WANG), ("DM0001", ID_BEIJING)):
        assert Member.get(Member.member_no == no).id_hash == ids.id_hash(number, key)
    waiting = version_7.execute_sql("SELECT id_hash FROM newcomer_card").fetchall()
    assert waiting == [(ids.id_hash(ID_NOT_REGISTERED, key),)]
    facts = {e: json.loads(p) for e, p in version_7.execute_sql("SELECT event_id, payload FROM outbox").fetchall()}
    assert facts["m-DM9001"] == {
        "member_no": "DM9001",
        "name": "王建华",
        "id_hash": ids.id_hash(ID_WANG, key),
        "site": settings.site.code,
    }
    assert facts["a-1"]["detail"] == {"member_no": "DM9001", "phone_last4": "8000"}
    # The payload stays in the outbox's one form: compact, keys sorted, Chinese as it is.
    text = version_7.execute_sql("SELECT payload FROM outbox WHERE event_id = 'm-DM9001'").fetchone()[0]
    assert text == json.dumps(facts["m-DM9001"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    found = CheckIn(settings).identify(World.idcard(ID_WANG), NOW)
    assert isinstance(found, Member) and found.member_no == "DM9001"
