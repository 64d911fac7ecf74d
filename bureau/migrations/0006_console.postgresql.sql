-- 0006: the management console (bureau/console).  Accounts get a role (admin, viewer, staff) and a
-- center's staff their site; sessions keep their forms' CSRF token and where they signed in from;
-- every change is audited.  Sites get a kind and a place in the hierarchy (市 → 区 → 街道), members
-- their pinyin initials for search.  The programme the console manages: activities and their series,
-- the registrations kiosks report, notices, terms, holidays, courses, lesson changes and rosters.
-- An account made before roles existed could only read every site: it becomes a viewer.

CREATE TABLE IF NOT EXISTS "region" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(255) NOT NULL,
    "level" VARCHAR(16) NOT NULL,
    "parent_id" INTEGER,
    FOREIGN KEY ("parent_id") REFERENCES "region" ("id")
);
CREATE INDEX IF NOT EXISTS "region_parent_id" ON "region" ("parent_id");
CREATE UNIQUE INDEX IF NOT EXISTS "region_parent_id_name" ON "region" ("parent_id", "name");

ALTER TABLE "site" ADD COLUMN "kind" VARCHAR(16) NOT NULL DEFAULT 'center';
ALTER TABLE "site" ADD COLUMN "region_id" INTEGER REFERENCES "region" ("id");
CREATE INDEX IF NOT EXISTS "site_region_id" ON "site" ("region_id");

ALTER TABLE "member" ADD COLUMN "initials" VARCHAR(32) NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS "member_initials" ON "member" ("initials");

ALTER TABLE "bureau_user" ADD COLUMN "role" VARCHAR(16) NOT NULL DEFAULT 'viewer';
ALTER TABLE "bureau_user" ADD COLUMN "site_id" INTEGER REFERENCES "site" ("id");
ALTER TABLE "bureau_user" ADD COLUMN "full_name" VARCHAR(255) NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS "bureau_user_site_id" ON "bureau_user" ("site_id");

ALTER TABLE "web_session" ADD COLUMN "csrf" VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE "web_session" ADD COLUMN "address" VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE "web_session" ADD COLUMN "agent" VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE "web_session" ADD COLUMN "last_seen" TIMESTAMP;

CREATE TABLE IF NOT EXISTS "series" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(32) NOT NULL,
    "site_id" INTEGER,
    "title" VARCHAR(255) NOT NULL,
    "repeat" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);

CREATE UNIQUE INDEX IF NOT EXISTS "series_key" ON "series" ("key");

CREATE INDEX IF NOT EXISTS "series_site_id" ON "series" ("site_id");

CREATE TABLE IF NOT EXISTS "activity" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(32) NOT NULL,
    "site_id" INTEGER,
    "series_id" INTEGER,
    "series_no" INTEGER,
    "title" VARCHAR(255) NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "place" VARCHAR(255) NOT NULL,
    "start" TIMESTAMP NOT NULL,
    "end" TIMESTAMP NOT NULL,
    "capacity" INTEGER NOT NULL,
    "waitlist" BOOLEAN NOT NULL,
    "open" BOOLEAN NOT NULL,
    "points" INTEGER,
    "window_before_min" INTEGER,
    "window_after_min" INTEGER,
    "cancelled_at" TIMESTAMP,
    "cancel_reason" TEXT NOT NULL,
    "copied_from" VARCHAR(32),
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("series_id") REFERENCES "series" ("id")
);

CREATE UNIQUE INDEX IF NOT EXISTS "activity_key" ON "activity" ("key");

CREATE INDEX IF NOT EXISTS "activity_site_id" ON "activity" ("site_id");

CREATE INDEX IF NOT EXISTS "activity_series_id" ON "activity" ("series_id");

CREATE INDEX IF NOT EXISTS "activity_start" ON "activity" ("start");

CREATE TABLE IF NOT EXISTS "audit_entry" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMP NOT NULL,
    "username" VARCHAR(64) NOT NULL,
    "site_id" INTEGER,
    "action" VARCHAR(64) NOT NULL,
    "target" VARCHAR(255) NOT NULL,
    "detail" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);

CREATE INDEX IF NOT EXISTS "audit_entry_at" ON "audit_entry" ("at");

CREATE INDEX IF NOT EXISTS "audit_entry_site_id" ON "audit_entry" ("site_id");

CREATE TABLE IF NOT EXISTS "term" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "site_id" INTEGER NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "start" DATE NOT NULL,
    "end" DATE NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);

CREATE INDEX IF NOT EXISTS "term_site_id" ON "term" ("site_id");

CREATE UNIQUE INDEX IF NOT EXISTS "term_site_id_name" ON "term" ("site_id", "name");

CREATE TABLE IF NOT EXISTS "course" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(32) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "term_id" INTEGER NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "teacher" VARCHAR(255) NOT NULL,
    "room" VARCHAR(255) NOT NULL,
    "capacity" INTEGER NOT NULL,
    "schedule" TEXT NOT NULL,
    "withdrawn_at" TIMESTAMP,
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("term_id") REFERENCES "term" ("id")
);

CREATE UNIQUE INDEX IF NOT EXISTS "course_key" ON "course" ("key");

CREATE INDEX IF NOT EXISTS "course_site_id" ON "course" ("site_id");

CREATE INDEX IF NOT EXISTS "course_term_id" ON "course" ("term_id");

CREATE TABLE IF NOT EXISTS "enrollment" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "course_id" INTEGER NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS "enrollment_course_id" ON "enrollment" ("course_id");

CREATE INDEX IF NOT EXISTS "enrollment_member_no" ON "enrollment" ("member_no");

CREATE UNIQUE INDEX IF NOT EXISTS "enrollment_course_id_member_no" ON "enrollment" ("course_id", "member_no");

CREATE TABLE IF NOT EXISTS "holiday" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "term_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    FOREIGN KEY ("term_id") REFERENCES "term" ("id") ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS "holiday_term_id" ON "holiday" ("term_id");

CREATE UNIQUE INDEX IF NOT EXISTS "holiday_term_id_day" ON "holiday" ("term_id", "day");

CREATE TABLE IF NOT EXISTS "notice" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(32) NOT NULL,
    "site_id" INTEGER,
    "kind" VARCHAR(16) NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "body" TEXT NOT NULL,
    "start" TIMESTAMP NOT NULL,
    "end" TIMESTAMP NOT NULL,
    "source" VARCHAR(255) NOT NULL,
    "withdrawn_at" TIMESTAMP,
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);

CREATE UNIQUE INDEX IF NOT EXISTS "notice_key" ON "notice" ("key");

CREATE INDEX IF NOT EXISTS "notice_site_id" ON "notice" ("site_id");

CREATE INDEX IF NOT EXISTS "notice_end" ON "notice" ("end");

CREATE TABLE IF NOT EXISTS "lesson_change" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "course_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "action" VARCHAR(16) NOT NULL,
    "new_start" TIMESTAMP,
    "new_end" TIMESTAMP,
    "room" VARCHAR(255) NOT NULL,
    "reason" TEXT NOT NULL,
    "notice_id" INTEGER,
    FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("notice_id") REFERENCES "notice" ("id")
);

CREATE INDEX IF NOT EXISTS "lesson_change_course_id" ON "lesson_change" ("course_id");

CREATE INDEX IF NOT EXISTS "lesson_change_notice_id" ON "lesson_change" ("notice_id");

CREATE UNIQUE INDEX IF NOT EXISTS "lesson_change_course_id_day" ON "lesson_change" ("course_id", "day");

CREATE TABLE IF NOT EXISTS "signup" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "site_id" INTEGER NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "activity_id" INTEGER,
    "title" VARCHAR(255) NOT NULL,
    "start" TIMESTAMP NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("activity_id") REFERENCES "activity" ("id")
);

CREATE INDEX IF NOT EXISTS "signup_activity_id" ON "signup" ("activity_id");

CREATE UNIQUE INDEX IF NOT EXISTS "signup_site_id_title_start_member_no" ON "signup" ("site_id", "title", "start", "member_no");
