-- Adoption of a store made before versions existed by the bureau's first version, whose kiosk
-- table lacks head_seq and last_pull (run only then, just before 0001: bureau/migrations).
-- SQLite adds a NOT NULL column only with a default in the table, which 0001's kiosk table does
-- not have (the models give it), so the table is rebuilt as 0001 makes it: a new table, every row
-- copied with the models' defaults (head_seq 0, last_pull NULL), the old table dropped and the new
-- one renamed.  Foreign keys are off meanwhile, so dropping the old table leaves the rows that
-- refer to kiosks as they are; they are checked before the commit.  0001 recreates the indexes.

CREATE TABLE "kiosk_new" (
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
INSERT INTO "kiosk_new" ("id", "kiosk_id", "site_id", "name", "key", "old_key", "old_key_until", "revoked_at",
                         "epoch", "acked_seq", "last_seen", "client_version", "created_at", "head_seq", "last_pull")
    SELECT "id", "kiosk_id", "site_id", "name", "key", "old_key", "old_key_until", "revoked_at",
           "epoch", "acked_seq", "last_seen", "client_version", "created_at", 0, NULL
    FROM "kiosk";
DROP TABLE "kiosk";
ALTER TABLE "kiosk_new" RENAME TO "kiosk";
