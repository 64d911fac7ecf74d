-- 0011: party branches, volunteer teams and clubs the bureau publishes on the "items" stream
-- (org:<key>): each with its kind and name and its members' numbers, nothing more; an activity's
-- organisation by its key (the activity may come before the organisation); and a volunteer
-- entry's time in minutes, for 我的积分's hours (filled from the outbox's "points" facts of the
-- hours staff entered here, where they are still held).
CREATE TABLE "organisation" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL);
CREATE UNIQUE INDEX "organisation_key" ON "organisation" ("key");
CREATE TABLE "org_member" ("id" INTEGER NOT NULL PRIMARY KEY, "organisation_id" INTEGER NOT NULL, "member_no" VARCHAR(255) NOT NULL, FOREIGN KEY ("organisation_id") REFERENCES "organisation" ("id") ON DELETE CASCADE);
CREATE INDEX "org_member_member_no" ON "org_member" ("member_no");
CREATE UNIQUE INDEX "org_member_organisation_id_member_no" ON "org_member" ("organisation_id", "member_no");
ALTER TABLE "activity" ADD COLUMN "org_key" VARCHAR(255);
CREATE INDEX "activity_org_key" ON "activity" ("org_key");
ALTER TABLE "points_entry" ADD COLUMN "minutes" INTEGER;
UPDATE "points_entry" SET "minutes" = (
  SELECT CAST(round(json_extract(o."payload", '$.hours') * 60) AS INTEGER) FROM "outbox" o
  WHERE o."event_id" = "points_entry"."event_id" AND o."kind" = 'points')
WHERE "kind" = 'volunteer' AND "signin_id" IS NULL;
