-- 0008: sign-ins per site and business day, kept by the rules in the transaction that inserts the
-- attendance rows (bureau/daily.py), filled here from the sign-ins already stored: the charts sum
-- a year of every site from ~15,000 of these rather than counting ~400,000 sign-ins.  And the
-- (site, day) index of attendance gains member_no, so "who signed in at these sites in these days"
-- (the active seniors) reads the index alone, never the rows.

CREATE TABLE IF NOT EXISTS "daily_attendance" (
    "site_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "signins" INTEGER NOT NULL,
    PRIMARY KEY ("site_id", "day"),
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
INSERT INTO "daily_attendance" ("site_id", "day", "signins")
    SELECT "site_id", "business_day", COUNT(*) FROM "attendance" GROUP BY "site_id", "business_day";

CREATE INDEX IF NOT EXISTS "attendance_site_id_business_day_member_no" ON "attendance" ("site_id", "business_day", "member_no");
DROP INDEX IF EXISTS "attendance_site_id_business_day";
