-- 0005: sync with the bureau (docs/sync-protocol.md §2, §5.4): the client's own state, and why the
-- bureau refused a fact.

-- One row per key: epoch, acked_seq, clock_offset_ms, last_push_ok, last_error, … (kiosk.sync.state).
CREATE TABLE "sync_state" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);

-- A fact the bureau refused is dead-lettered there and marked here, with its reason, for staff.
ALTER TABLE "outbox" ADD COLUMN "reject_code" VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE "outbox" ADD COLUMN "reject_reason" TEXT NOT NULL DEFAULT '';
CREATE INDEX "outbox_state" ON "outbox" ("state");
