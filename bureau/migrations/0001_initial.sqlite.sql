-- 0001: the bureau's tables as bureau/models.py defined them when versions began, as
-- `python -m tools.bureau_ddl sqlite` printed them.  Each is IF NOT EXISTS, so that this script
-- also completes a store made before versions existed, which may lack a table or an index added
-- since it was made (the adoption, bureau/migrations/__init__.py).

CREATE TABLE IF NOT EXISTS "site" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "code" VARCHAR(32) NOT NULL,
    "name" VARCHAR(255) NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "site_code" ON "site" ("code");

CREATE TABLE IF NOT EXISTS "kiosk" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "kiosk_id" VARCHAR(64) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "old_key" VARCHAR(64),
    "old_key_until" DATETIME,
    "revoked_at" DATETIME,
    "epoch" INTEGER NOT NULL,
    "acked_seq" INTEGER NOT NULL,
    "last_seen" DATETIME,
    "client_version" VARCHAR(64) NOT NULL,
    "created_at" DATETIME NOT NULL,
    "head_seq" INTEGER NOT NULL,
    "last_pull" DATETIME,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "kiosk_kiosk_id" ON "kiosk" ("kiosk_id");
CREATE INDEX IF NOT EXISTS "kiosk_site_id" ON "kiosk" ("site_id");

CREATE TABLE IF NOT EXISTS "attendance" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "event_id" VARCHAR(64) NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "kiosk_id" INTEGER NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "start" DATETIME NOT NULL,
    "at" DATETIME NOT NULL,
    "business_day" DATE NOT NULL,
    "method" VARCHAR(16) NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "attendance_event_id" ON "attendance" ("event_id");
CREATE INDEX IF NOT EXISTS "attendance_site_id_business_day" ON "attendance" ("site_id", "business_day");
CREATE INDEX IF NOT EXISTS "attendance_member_no_business_day" ON "attendance" ("member_no", "business_day");

CREATE TABLE IF NOT EXISTS "bureau_user" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "username" VARCHAR(64) NOT NULL,
    "password_hash" VARCHAR(200) NOT NULL,
    "disabled" INTEGER NOT NULL,
    "failures" INTEGER NOT NULL,
    "locked_until" DATETIME,
    "created_at" DATETIME NOT NULL,
    "last_login" DATETIME
);
CREATE UNIQUE INDEX IF NOT EXISTS "bureau_user_username" ON "bureau_user" ("username");

CREATE TABLE IF NOT EXISTS "device_state" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "kiosk_id" INTEGER NOT NULL,
    "device" VARCHAR(64) NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "state" VARCHAR(32) NOT NULL,
    "reads" INTEGER NOT NULL,
    "faults" INTEGER NOT NULL,
    "disconnects" INTEGER NOT NULL,
    "last_error" VARCHAR(200) NOT NULL,
    "at" DATETIME NOT NULL,
    FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "device_state_kiosk_id_device" ON "device_state" ("kiosk_id", "device");

CREATE TABLE IF NOT EXISTS "event" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "event_id" TEXT NOT NULL,
    "kiosk_id" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "schema_v" INTEGER NOT NULL,
    "wall_ms" INTEGER NOT NULL,
    "received_at" DATETIME NOT NULL,
    "skew_ms" INTEGER NOT NULL,
    "skewed" INTEGER NOT NULL,
    "payload" TEXT NOT NULL,
    FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id"),
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "event_event_id" ON "event" ("event_id");
CREATE INDEX IF NOT EXISTS "event_site_id" ON "event" ("site_id");
CREATE UNIQUE INDEX IF NOT EXISTS "event_kiosk_id_epoch_seq" ON "event" ("kiosk_id", "epoch", "seq");
CREATE INDEX IF NOT EXISTS "event_kiosk_id_received_at" ON "event" ("kiosk_id", "received_at") WHERE "skewed";

CREATE TABLE IF NOT EXISTS "event_reject" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "event_id" VARCHAR(64) NOT NULL,
    "kiosk_id" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "code" VARCHAR(32) NOT NULL,
    "reason" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "received_at" DATETIME NOT NULL,
    FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "event_reject_event_id" ON "event_reject" ("event_id");
CREATE INDEX IF NOT EXISTS "event_reject_kiosk_id_epoch_seq" ON "event_reject" ("kiosk_id", "epoch", "seq");

CREATE TABLE IF NOT EXISTS "ledger_entry" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "entry_id" VARCHAR(64) NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "amount" INTEGER NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "rule" VARCHAR(255) NOT NULL,
    "site_id" INTEGER,
    "kiosk_id" INTEGER,
    "reverses" VARCHAR(64),
    "business_day" DATE NOT NULL,
    "award_key" VARCHAR(255),
    "balance_after" INTEGER NOT NULL,
    "note" VARCHAR(255) NOT NULL,
    "at" DATETIME NOT NULL,
    "recorded_at" DATETIME NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "ledger_entry_entry_id" ON "ledger_entry" ("entry_id");
CREATE INDEX IF NOT EXISTS "ledger_entry_member_no" ON "ledger_entry" ("member_no");
CREATE INDEX IF NOT EXISTS "ledger_entry_site_id" ON "ledger_entry" ("site_id");
CREATE INDEX IF NOT EXISTS "ledger_entry_reverses" ON "ledger_entry" ("reverses");
CREATE UNIQUE INDEX IF NOT EXISTS "ledger_entry_award_key" ON "ledger_entry" ("award_key");
CREATE INDEX IF NOT EXISTS "ledger_entry_member_no_business_day" ON "ledger_entry" ("member_no", "business_day");

CREATE TABLE IF NOT EXISTS "member" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "member_no" VARCHAR(32) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "gender" VARCHAR(255) NOT NULL,
    "birth_year" INTEGER,
    "id_hash" VARCHAR(64),
    "id_last4" VARCHAR(255) NOT NULL,
    "phone_last4" VARCHAR(255) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "joined" DATE,
    "active" INTEGER NOT NULL,
    "merged_into" VARCHAR(32),
    "balance" INTEGER NOT NULL,
    "updated_at" DATETIME NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "member_member_no" ON "member" ("member_no");
CREATE INDEX IF NOT EXISTS "member_id_hash" ON "member" ("id_hash");
CREATE INDEX IF NOT EXISTS "member_site_id" ON "member" ("site_id");

CREATE TABLE IF NOT EXISTS "nonce" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "kiosk_id" INTEGER NOT NULL,
    "nonce" VARCHAR(64) NOT NULL,
    "at" DATETIME NOT NULL,
    FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id")
);
CREATE INDEX IF NOT EXISTS "nonce_at" ON "nonce" ("at");
CREATE UNIQUE INDEX IF NOT EXISTS "nonce_kiosk_id_nonce" ON "nonce" ("kiosk_id", "nonce");

CREATE TABLE IF NOT EXISTS "rule_cursor" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "kiosk_id" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    FOREIGN KEY ("kiosk_id") REFERENCES "kiosk" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "rule_cursor_kiosk_id_epoch" ON "rule_cursor" ("kiosk_id", "epoch");

CREATE TABLE IF NOT EXISTS "stream_meta" (
    "stream" VARCHAR(32) NOT NULL PRIMARY KEY,
    "handle" VARCHAR(32) NOT NULL,
    "head_rev" INTEGER NOT NULL,
    "min_retained_rev" INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS "stream_row" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "stream" VARCHAR(32) NOT NULL,
    "entity_id" VARCHAR(128) NOT NULL,
    "rev" INTEGER NOT NULL,
    "scope" VARCHAR(80) NOT NULL,
    "deleted" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "crc" INTEGER NOT NULL,
    "changed_at" DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "stream_row_stream_entity_id" ON "stream_row" ("stream", "entity_id");
CREATE UNIQUE INDEX IF NOT EXISTS "stream_row_stream_rev" ON "stream_row" ("stream", "rev");

CREATE TABLE IF NOT EXISTS "web_session" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "token_hash" VARCHAR(64) NOT NULL,
    "user_id" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL,
    FOREIGN KEY ("user_id") REFERENCES "bureau_user" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "web_session_token_hash" ON "web_session" ("token_hash");
CREATE INDEX IF NOT EXISTS "web_session_user_id" ON "web_session" ("user_id");
CREATE INDEX IF NOT EXISTS "web_session_expires_at" ON "web_session" ("expires_at");
