-- Kiosk keys sealed with the server's secret (bureau/sealing.py) are longer than the 64 hex
-- digits of a key: key and old_key become VARCHAR(160).  SQLite changes a column only by
-- rebuilding its table (foreign keys are off during a migration; bureau/migrations checks them
-- after).  The keys themselves are sealed by bureau.schema.open_store when the secret is given:
-- AES-GCM is not SQL.
CREATE TABLE "kiosk_0005" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "kiosk_id" VARCHAR(64) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "key" VARCHAR(160) NOT NULL,
    "old_key" VARCHAR(160),
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
INSERT INTO "kiosk_0005" (
    "id", "kiosk_id", "site_id", "name", "key", "old_key", "old_key_until", "revoked_at", "epoch",
    "acked_seq", "last_seen", "client_version", "created_at", "head_seq", "last_pull"
)
SELECT
    "id", "kiosk_id", "site_id", "name", "key", "old_key", "old_key_until", "revoked_at", "epoch",
    "acked_seq", "last_seen", "client_version", "created_at", "head_seq", "last_pull"
FROM "kiosk";
DROP TABLE "kiosk";
ALTER TABLE "kiosk_0005" RENAME TO "kiosk";
CREATE UNIQUE INDEX IF NOT EXISTS "kiosk_kiosk_id" ON "kiosk" ("kiosk_id");
CREATE INDEX IF NOT EXISTS "kiosk_site_id" ON "kiosk" ("site_id");
