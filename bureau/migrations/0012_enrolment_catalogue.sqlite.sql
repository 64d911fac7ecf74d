-- 0012: enrolment seasons (报名季) with their applications and the draw's published inputs; a course's
-- age range for applying; the points catalogue and the seniors' requests for its items
-- (docs/enrolment.md, docs/points.md).

CREATE TABLE IF NOT EXISTS "season" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "key" VARCHAR(32) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "term_id" INTEGER NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "opens" DATETIME NOT NULL,
    "closes" DATETIME NOT NULL,
    "draw_at" DATETIME NOT NULL,
    "max_courses" INTEGER NOT NULL,
    "members_only" INTEGER NOT NULL,
    "returning_first" INTEGER NOT NULL,
    "applicants_hash" VARCHAR(64) NOT NULL,
    "public_numbers" VARCHAR(64) NOT NULL,
    "seed" VARCHAR(64) NOT NULL,
    "drawn_at" DATETIME,
    "drawn_by" VARCHAR(64) NOT NULL,
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" DATETIME NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("term_id") REFERENCES "term" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "season_key" ON "season" ("key");
CREATE INDEX IF NOT EXISTS "season_site_id" ON "season" ("site_id");
CREATE INDEX IF NOT EXISTS "season_term_id" ON "season" ("term_id");

CREATE TABLE IF NOT EXISTS "application" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "season_id" INTEGER NOT NULL,
    "course_id" INTEGER NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "priority" INTEGER NOT NULL,
    "rank" INTEGER,
    "age_checked" INTEGER NOT NULL,
    "applied_at" DATETIME NOT NULL,
    "by" VARCHAR(64) NOT NULL,
    "reason" TEXT NOT NULL,
    "refusal" VARCHAR(255) NOT NULL,
    FOREIGN KEY ("season_id") REFERENCES "season" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "application_season_id" ON "application" ("season_id");
CREATE INDEX IF NOT EXISTS "application_course_id" ON "application" ("course_id");
CREATE INDEX IF NOT EXISTS "application_member_no" ON "application" ("member_no");
CREATE UNIQUE INDEX IF NOT EXISTS "application_season_id_course_id_member_no" ON "application" ("season_id", "course_id", "member_no");

CREATE TABLE IF NOT EXISTS "catalogue_item" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "key" VARCHAR(32) NOT NULL,
    "site_id" INTEGER,
    "name" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL,
    "stock" INTEGER,
    "valid_from" DATE,
    "valid_to" DATE,
    "withdrawn_at" DATETIME,
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" DATETIME NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "catalogue_item_key" ON "catalogue_item" ("key");
CREATE INDEX IF NOT EXISTS "catalogue_item_site_id" ON "catalogue_item" ("site_id");

CREATE TABLE IF NOT EXISTS "redemption" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "request" VARCHAR(64) NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "item_id" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "points" INTEGER NOT NULL,
    "requested_at" DATETIME NOT NULL,
    "handed_at" DATETIME,
    "cancelled_at" DATETIME,
    "entry" VARCHAR(64),
    FOREIGN KEY ("item_id") REFERENCES "catalogue_item" ("id"),
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "redemption_request" ON "redemption" ("request");
CREATE INDEX IF NOT EXISTS "redemption_member_no" ON "redemption" ("member_no");
CREATE INDEX IF NOT EXISTS "redemption_item_id" ON "redemption" ("item_id");
CREATE INDEX IF NOT EXISTS "redemption_site_id" ON "redemption" ("site_id");

ALTER TABLE "course" ADD COLUMN "age_min" INTEGER;
ALTER TABLE "course" ADD COLUMN "age_max" INTEGER;
