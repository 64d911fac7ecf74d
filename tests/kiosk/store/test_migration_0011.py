"""Migration 0011: a kiosk.db of version 10 gains the organisations and an activity's organisation,
and the volunteer hours staff entered before it keep their time where the outbox still holds the
fact that carried them (a sign-in's award, or a fact gone, has none)."""

import json

from kiosk.points import passbook
from kiosk.store import migrations
from kiosk.store.db import open_db
from tests.kiosk.store.test_migration_0008 import outbox


def test_volunteer_entries_get_their_minutes_from_their_facts(settings, monkeypatch):
    real = migrations.scripts()
    monkeypatch.setattr(migrations, "scripts", lambda: [s for s in real if s[0] <= 10])
    database = open_db(settings.kiosk.data_dir)
    monkeypatch.setattr(migrations, "scripts", lambda: real)
    sql = database.execute_sql
    sql("INSERT INTO site (code, name, kind, address) VALUES (?, '测试中心', 'center', '')", (settings.site.code,))
    sql(
        "INSERT INTO member (member_no, name, gender, phone_last4, site_id, card_issue, points_confirmed, active)"
        " VALUES ('DM9001', '王建华', '男', '8000', 1, 1, 0, 1)"
    )
    for event_id, amount, hours in (("v-1", 4, 2), ("v-2", 5, 2.5), ("v-3", 6, None), ("v-4", 3, 1.5)):
        sql(
            "INSERT INTO points_entry (event_id, member_id, amount, kind, rule, status, at, note)"
            " VALUES (?, 1, ?, 'volunteer', 'volunteer_hour', 'confirmed', '2026-03-01 10:00:00', '图书室值班')",
            (event_id, amount),
        )
        if event_id != "v-4":  # v-4's fact was pruned
            outbox(sql, event_id, "points", {"member_no": "DM9001", "amount": amount, "hours": hours})
    outbox(sql, "x-1", "audit", {"hours": 9})
    assert migrations.migrate(database) == real[-1][0]
    minutes = dict(sql("SELECT event_id, minutes FROM points_entry ORDER BY event_id").fetchall())
    assert minutes == {"v-1": 120, "v-2": 150, "v-3": None, "v-4": None}
    assert passbook.volunteer_minutes("DM9001", 2026) == 270
    assert sql("SELECT count(*) FROM organisation").fetchone()[0] == 0
    assert "org_key" in json.dumps(sql('PRAGMA table_info("activity")').fetchall())
    database.close()
