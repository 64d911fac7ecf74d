-- 0008: sign-ins per site and business day, kept by the rules in the transaction that inserts the
-- attendance rows (bureau/daily.py), filled here from the sign-ins already stored: the charts sum
-- a year of every site from ~15,000 of these rather than counting ~400,000 sign-ins.

CREATE TABLE IF NOT EXISTS "daily_attendance" (
    "site_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "signins" INTEGER NOT NULL,
    PRIMARY KEY ("site_id", "day"),
    FOREIGN KEY ("site_id") REFERENCES "site" ("id")
);
INSERT INTO "daily_attendance" ("site_id", "day", "signins")
    SELECT "site_id", "business_day", COUNT(*) FROM "attendance" GROUP BY "site_id", "business_day";

