-- 0003: seniors' self-service (docs/design.md §8.2): points rules as data (§4.5), waitlist order
-- and promotion notices on registrations, per-senior preferences, and the passbook's index.

-- The rules that award points, one row per category.  The kiosk starts with these defaults; the
-- bureau replaces them through sync (source 'bureau', its own version number).
CREATE TABLE "points_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "category" VARCHAR(255) NOT NULL, "points" INTEGER NOT NULL, "per" VARCHAR(255) NOT NULL, "daily_cap" INTEGER NOT NULL, "once_per_item" INTEGER NOT NULL, "version" INTEGER NOT NULL, "source" VARCHAR(255) NOT NULL, "updated_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "points_rule_category" ON "points_rule" ("category");
INSERT INTO "points_rule" ("category", "points", "per", "daily_cap", "once_per_item", "version", "source", "updated_at") VALUES ('lesson', 2, 'attendance', 10, 1, 0, 'default', '2026-01-01 00:00:00');
INSERT INTO "points_rule" ("category", "points", "per", "daily_cap", "once_per_item", "version", "source", "updated_at") VALUES ('activity', 5, 'attendance', 10, 1, 0, 'default', '2026-01-01 00:00:00');
INSERT INTO "points_rule" ("category", "points", "per", "daily_cap", "once_per_item", "version", "source", "updated_at") VALUES ('party', 5, 'attendance', 10, 1, 0, 'default', '2026-01-01 00:00:00');
INSERT INTO "points_rule" ("category", "points", "per", "daily_cap", "once_per_item", "version", "source", "updated_at") VALUES ('volunteer', 2, 'hour', 16, 0, 0, 'default', '2026-01-01 00:00:00');

-- The passbook reads a member's entries newest first.
CREATE INDEX "points_entry_member_id_at" ON "points_entry" ("member_id", "at");

-- Waitlist order, and a promotion from the waitlist not yet told to the senior.
ALTER TABLE "registration" ADD COLUMN "at" DATETIME;
ALTER TABLE "registration" ADD COLUMN "promoted_at" DATETIME;
ALTER TABLE "registration" ADD COLUMN "notify" INTEGER NOT NULL DEFAULT 0;
CREATE INDEX "registration_activity_id_status" ON "registration" ("activity_id", "status");

-- Per-senior preferences, applied as soon as the senior is identified.
ALTER TABLE "member" ADD COLUMN "large_text" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "member" ADD COLUMN "voice" INTEGER NOT NULL DEFAULT 1;
