-- 0011: the volunteer reports (bureau/volunteers/hours.py) read the service of a period across every
-- member: a partial index of the ledger's entries with minutes (volunteer hours from the kiosks, and
-- the needs done in the console) by business day, a small part of a ledger holding every award.

CREATE INDEX IF NOT EXISTS "ledger_entry_business_day" ON "ledger_entry" ("business_day") WHERE ("minutes" IS NOT NULL);
