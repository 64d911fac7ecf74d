-- 0003: each site's member-number prefix, issued by the bureau (site add), so that two sites can
-- never number different people alike; a site made before has none until the operator gives it
-- one.  And each member's newest QR card issue, which the members stream carries to every kiosk.

ALTER TABLE "site" ADD COLUMN "prefix" VARCHAR(8);
CREATE UNIQUE INDEX IF NOT EXISTS "site_prefix" ON "site" ("prefix");

ALTER TABLE "member" ADD COLUMN "card_issue" INTEGER NOT NULL DEFAULT 1;
