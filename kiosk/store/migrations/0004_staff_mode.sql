-- 0004: staff mode (docs/design.md §4.9, §9.4, §9.5): PIN lockout, the audit trail, who changed what,
-- pinyin search, members registered from the ID card, enrolment order, and moved or cancelled lessons.

-- Failed PINs and the growing lockout outlive a restart of the kiosk.
ALTER TABLE "staff" ADD COLUMN "active" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "staff" ADD COLUMN "failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "staff" ADD COLUMN "lockouts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "staff" ADD COLUMN "locked_until" DATETIME;

-- Every change staff make: who, when, what, why.  Each row is also an "audit" outbox fact.
CREATE TABLE "audit" ("id" INTEGER NOT NULL PRIMARY KEY, "event_id" VARCHAR(255) NOT NULL, "at" DATETIME NOT NULL, "staff_id" INTEGER, "staff_name" VARCHAR(255) NOT NULL, "action" VARCHAR(255) NOT NULL, "target" VARCHAR(255) NOT NULL, "reason" VARCHAR(255) NOT NULL, "detail" TEXT NOT NULL, FOREIGN KEY ("staff_id") REFERENCES "staff" ("id"));
CREATE UNIQUE INDEX "audit_event_id" ON "audit" ("event_id");
CREATE INDEX "audit_at" ON "audit" ("at");
CREATE INDEX "audit_staff_id" ON "audit" ("staff_id");

-- Staff find a senior by pinyin initials (王建华 → wjh), member number or phone's last 4 digits.
-- initials is filled by Python (kiosk.search) for rows that have none.
ALTER TABLE "member" ADD COLUMN "initials" VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE "member" ADD COLUMN "phone" VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE "member" ADD COLUMN "birth_date" DATE;
ALTER TABLE "member" ADD COLUMN "nation" VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE "member" ADD COLUMN "address" VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE "member" ADD COLUMN "joined" DATE;
CREATE INDEX "member_initials" ON "member" ("initials");
CREATE INDEX "member_phone_last4" ON "member" ("phone_last4");

-- The waitlist's order, as for activity registrations.
ALTER TABLE "enrollment" ADD COLUMN "at" DATETIME;
CREATE INDEX "enrollment_course_id_status" ON "enrollment" ("course_id", "status");

-- Why a lesson was cancelled or moved.
ALTER TABLE "lesson" ADD COLUMN "note" VARCHAR(255) NOT NULL DEFAULT '';

-- A sign-in or ledger entry staff made, and why.
ALTER TABLE "sign_in" ADD COLUMN "staff_id" INTEGER REFERENCES "staff" ("id");
ALTER TABLE "sign_in" ADD COLUMN "reason" VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE "points_entry" ADD COLUMN "staff_id" INTEGER REFERENCES "staff" ("id");
CREATE INDEX "sign_in_staff_id" ON "sign_in" ("staff_id");
CREATE INDEX "points_entry_staff_id" ON "points_entry" ("staff_id");
