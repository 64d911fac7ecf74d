-- 0014: a redemption handed over when the bureau counted none of its item left (a kiosk hands over
-- offline) is filed all the same and flagged for staff, until one of them marks it checked
-- (bureau/catalogue/redemptions.py, docs/points.md).

ALTER TABLE "redemption" ADD COLUMN "over_stock" BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE "redemption" ADD COLUMN "checked_by" VARCHAR(64) NOT NULL DEFAULT '';
