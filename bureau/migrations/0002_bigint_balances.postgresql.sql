-- Balances as 64-bit integers: member.balance and ledger_entry.balance_after were INTEGER, and a
-- sum of entries past 2^31 - 1 stopped the rules (integer out of range).  Rows keep their values.
ALTER TABLE "member" ALTER COLUMN "balance" TYPE BIGINT;
ALTER TABLE "ledger_entry" ALTER COLUMN "balance_after" TYPE BIGINT;
