-- Adoption of a store made before versions existed by the bureau's first version, whose kiosk
-- table lacks head_seq and last_pull (run only then, just before 0001: bureau/migrations).
-- The rows there get the models' defaults (head_seq 0, last_pull NULL); the table's own default
-- is dropped after, as 0001's kiosk table has none (the models give it).

ALTER TABLE "kiosk" ADD COLUMN "head_seq" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "kiosk" ALTER COLUMN "head_seq" DROP DEFAULT;
ALTER TABLE "kiosk" ADD COLUMN "last_pull" TIMESTAMP;
