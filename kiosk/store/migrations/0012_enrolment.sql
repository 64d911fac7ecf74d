-- 0012: an enrolment season (报名季) at the kiosk (issue 23): the seasons the bureau publishes on the
-- "items" stream (season:<key>), a course's age range (course items' age_min, age_max), the
-- applications made at this kiosk (each also an `application` fact), and the draw's result for a
-- member (result:<season>:<member_no>), kept until the senior has been told it once (told_at).
-- Nothing of a birth date: the age is checked from the ID card in memory only (docs/design.md §9.1).
ALTER TABLE "course" ADD COLUMN "age_min" INTEGER;
ALTER TABLE "course" ADD COLUMN "age_max" INTEGER;
CREATE TABLE "season" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(255) NOT NULL, "title" VARCHAR(255) NOT NULL, "term" VARCHAR(255) NOT NULL, "opens" DATETIME NOT NULL, "closes" DATETIME NOT NULL, "draw_at" DATETIME NOT NULL, "max_courses" INTEGER NOT NULL, "members_only" INTEGER NOT NULL, "returning_first" INTEGER NOT NULL, "drawn" INTEGER NOT NULL, "courses" TEXT NOT NULL);
CREATE UNIQUE INDEX "season_key" ON "season" ("key");
CREATE TABLE "application" ("id" INTEGER NOT NULL PRIMARY KEY, "member_no" VARCHAR(255) NOT NULL, "season" VARCHAR(255) NOT NULL, "course" VARCHAR(255) NOT NULL, "status" VARCHAR(255) NOT NULL, "at" DATETIME NOT NULL, "age_checked" INTEGER NOT NULL, "staff_name" VARCHAR(255) NOT NULL, "reason" VARCHAR(255) NOT NULL);
CREATE UNIQUE INDEX "application_member_no_season_course" ON "application" ("member_no", "season", "course");
CREATE INDEX "application_season_course" ON "application" ("season", "course");
CREATE TABLE "draw_result" ("id" INTEGER NOT NULL PRIMARY KEY, "season" VARCHAR(255) NOT NULL, "member_no" VARCHAR(255) NOT NULL, "courses" TEXT NOT NULL, "told_at" DATETIME);
CREATE UNIQUE INDEX "draw_result_member_no_season" ON "draw_result" ("member_no", "season");
