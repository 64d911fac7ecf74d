-- 0010: care, organisations and volunteers (docs/care.md).  A member's situation (sensitive: the
-- member's site's staff and the bureau's admins only, never published), the visit log, party
-- branches, volunteer teams and clubs with their rosters, the 银发人才库's skill domains and the
-- needs volunteers take; an activity held by an organisation; the minutes of a volunteer entry.

CREATE TABLE IF NOT EXISTS "situation" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "member_no" VARCHAR(32) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "retired" VARCHAR(8) NOT NULL,
    "party_member" BOOLEAN NOT NULL,
    "birth_date" DATE,
    "lives_alone" BOOLEAN NOT NULL,
    "hardship" VARCHAR(64) NOT NULL,
    "phone" VARCHAR(32) NOT NULL,
    "contact_user_id" INTEGER,
    "contact_name" VARCHAR(64) NOT NULL,
    "emergency_name" VARCHAR(64) NOT NULL,
    "emergency_relation" VARCHAR(16) NOT NULL,
    "emergency_phone" VARCHAR(32) NOT NULL,
    "plan" TEXT NOT NULL,
    "in_hospital_since" DATE,
    "back_from_hospital" DATE,
    "updated_by" VARCHAR(64) NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("contact_user_id") REFERENCES "bureau_user" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "situation_member_no" ON "situation" ("member_no");
CREATE INDEX IF NOT EXISTS "situation_site_id" ON "situation" ("site_id");
CREATE INDEX IF NOT EXISTS "situation_contact_user_id" ON "situation" ("contact_user_id");

CREATE TABLE IF NOT EXISTS "visit" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "member_no" VARCHAR(32) NOT NULL,
    "site_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "visitor" VARCHAR(64) NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "outcome" TEXT NOT NULL,
    "follow_up" TEXT NOT NULL,
    "follow_up_done" DATE,
    "recorded_by" VARCHAR(64) NOT NULL,
    "recorded_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
CREATE INDEX IF NOT EXISTS "visit_member_no_day" ON "visit" ("member_no", "day");
CREATE INDEX IF NOT EXISTS "visit_site_id_day" ON "visit" ("site_id", "day");

CREATE TABLE IF NOT EXISTS "organisation" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(32) NOT NULL,
    "site_id" INTEGER,
    "course_id" INTEGER,
    "kind" VARCHAR(16) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "term_start" DATE,
    "term_end" DATE,
    "note" TEXT NOT NULL,
    "dissolved_at" DATE,
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("course_id") REFERENCES "course" ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "organisation_key" ON "organisation" ("key");
CREATE INDEX IF NOT EXISTS "organisation_site_id" ON "organisation" ("site_id");
CREATE INDEX IF NOT EXISTS "organisation_course_id" ON "organisation" ("course_id");

CREATE TABLE IF NOT EXISTS "org_member" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "organisation_id" INTEGER NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "since" DATE,
    "until" DATE,
    FOREIGN KEY ("organisation_id") REFERENCES "organisation" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "org_member_organisation_id" ON "org_member" ("organisation_id");
CREATE INDEX IF NOT EXISTS "org_member_member_no" ON "org_member" ("member_no");
CREATE UNIQUE INDEX IF NOT EXISTS "org_member_organisation_id_member_no" ON "org_member" ("organisation_id", "member_no");

CREATE TABLE IF NOT EXISTS "skill_domain" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(32) NOT NULL,
    "position" INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "skill_domain_name" ON "skill_domain" ("name");

CREATE TABLE IF NOT EXISTS "member_skill" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "member_no" VARCHAR(32) NOT NULL,
    "domain_id" INTEGER NOT NULL,
    "detail" VARCHAR(255) NOT NULL,
    FOREIGN KEY ("domain_id") REFERENCES "skill_domain" ("id")
);
CREATE INDEX IF NOT EXISTS "member_skill_domain_id" ON "member_skill" ("domain_id");
CREATE UNIQUE INDEX IF NOT EXISTS "member_skill_member_no_domain_id" ON "member_skill" ("member_no", "domain_id");

CREATE TABLE IF NOT EXISTS "need" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "site_id" INTEGER NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "domain_id" INTEGER,
    "requester" VARCHAR(255) NOT NULL,
    "place" VARCHAR(255) NOT NULL,
    "start" TIMESTAMP NOT NULL,
    "end" TIMESTAMP,
    "wanted" INTEGER NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "note" TEXT NOT NULL,
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("site_id") REFERENCES "site" ("id"),
    FOREIGN KEY ("domain_id") REFERENCES "skill_domain" ("id")
);
CREATE INDEX IF NOT EXISTS "need_site_id" ON "need" ("site_id");
CREATE INDEX IF NOT EXISTS "need_domain_id" ON "need" ("domain_id");

CREATE TABLE IF NOT EXISTS "need_taker" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "need_id" INTEGER NOT NULL,
    "member_no" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "minutes" INTEGER,
    "entry_id" VARCHAR(64),
    FOREIGN KEY ("need_id") REFERENCES "need" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "need_taker_need_id" ON "need_taker" ("need_id");
CREATE INDEX IF NOT EXISTS "need_taker_member_no" ON "need_taker" ("member_no");
CREATE UNIQUE INDEX IF NOT EXISTS "need_taker_need_id_member_no" ON "need_taker" ("need_id", "member_no");

ALTER TABLE "activity" ADD COLUMN "organisation_id" INTEGER REFERENCES "organisation" ("id");
CREATE INDEX IF NOT EXISTS "activity_organisation_id" ON "activity" ("organisation_id");
ALTER TABLE "ledger_entry" ADD COLUMN "minutes" INTEGER;

-- The skill domains a bureau starts with; it adds its own in the console.
INSERT INTO "skill_domain" ("name", "position") VALUES
    ('书画', 1),
    ('医疗', 2),
    ('法律', 3),
    ('教学', 4),
    ('文艺', 5),
    ('摄影', 6),
    ('信息技术', 7),
    ('心理咨询', 8),
    ('宣讲', 9),
    ('体育健身', 10),
    ('手工', 11),
    ('家政', 12)
ON CONFLICT ("name") DO NOTHING;
