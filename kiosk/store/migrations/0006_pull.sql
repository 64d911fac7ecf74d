-- 0006: pulling from the bureau (docs/sync-protocol.md §6): what this kiosk applied of each stream, the bureau's
-- settings, the bureau's keys of the items it publishes, and members the bureau merged.

-- One row per entity of a pull stream: its rev (an older one arriving late is ignored) and its crc,
-- whose sum the nightly sync compares with the bureau's checksum (kiosk.sync.pull, kiosk.sync.nightly).
CREATE TABLE "pulled" ("stream" VARCHAR(255) NOT NULL, "entity_id" VARCHAR(255) NOT NULL, "rev" INTEGER NOT NULL, "crc" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, PRIMARY KEY ("stream", "entity_id"));

-- The "settings" stream as pulled: "*", "site:CODE" or this kiosk's id → {"section.key": value}.
CREATE TABLE "bureau_setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);

-- Activities and courses the bureau publishes carry its entity id ("activity:<uuid>"); NULL for a
-- site's own, so the unique index holds only where it is set.
ALTER TABLE "activity" ADD COLUMN "bureau_key" VARCHAR(255);
CREATE UNIQUE INDEX "activity_bureau_key" ON "activity" ("bureau_key");
ALTER TABLE "course" ADD COLUMN "bureau_key" VARCHAR(255);
CREATE UNIQUE INDEX "course_bureau_key" ON "course" ("bureau_key");

-- A registration the bureau found to be a second one of the same person points at the first.
ALTER TABLE "member" ADD COLUMN "merged_into" VARCHAR(255);
CREATE INDEX "member_merged_into" ON "member" ("merged_into");
