-- 0013: the courses a season offers (staff choose them among its term's courses; docs/enrolment.md).

CREATE TABLE IF NOT EXISTS "season_course" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "season_id" INTEGER NOT NULL,
    "course_id" INTEGER NOT NULL,
    FOREIGN KEY ("season_id") REFERENCES "season" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "season_course_season_id" ON "season_course" ("season_id");
CREATE INDEX IF NOT EXISTS "season_course_course_id" ON "season_course" ("course_id");
CREATE UNIQUE INDEX IF NOT EXISTS "season_course_season_id_course_id" ON "season_course" ("season_id", "course_id");
