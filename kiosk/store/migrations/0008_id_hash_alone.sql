-- 0008: an id_hash alone (docs/design.md §9.1).  Nothing stored beside a member's id_hash may narrow a
-- search for the ID number it was made from: the last 4 characters, the birth year or date and the
-- card's address go, from members, unregistered cards, the audit trail and the outbox's facts.  Every
-- id_hash becomes the slow derivation of the HMAC it was (contract.idhash), by the SQL function
-- upgraded_id_hash (kiosk.store.migrations), which needs no ID number.
ALTER TABLE "member" DROP COLUMN "id_last4";
ALTER TABLE "member" DROP COLUMN "birth_year";
ALTER TABLE "member" DROP COLUMN "birth_date";
ALTER TABLE "member" DROP COLUMN "address";
UPDATE "member" SET "id_hash" = upgraded_id_hash("id_hash") WHERE "id_hash" IS NOT NULL;

ALTER TABLE "newcomer_card" DROP COLUMN "id_last4";
ALTER TABLE "newcomer_card" DROP COLUMN "birth_date";
ALTER TABLE "newcomer_card" DROP COLUMN "address";
UPDATE "newcomer_card" SET "id_hash" = upgraded_id_hash("id_hash");

UPDATE "audit" SET "detail" = json_remove("detail", '$.id_last4') WHERE json_type("detail", '$.id_last4') IS NOT NULL;

-- Facts already acknowledged are rewritten too: the bureau knows a fact by its event_id and seq, and
-- it upgrades an older id_hash itself (bureau migration 0004).
UPDATE "outbox" SET "payload" = json_remove("payload", '$.id_last4', '$.birth_year')
    WHERE "kind" = 'member';
UPDATE "outbox" SET "payload" = json_set("payload", '$.id_hash', upgraded_id_hash(json_extract("payload", '$.id_hash')))
    WHERE "kind" = 'member' AND json_type("payload", '$.id_hash') = 'text';
UPDATE "outbox" SET "payload" = json_remove("payload", '$.detail.id_last4')
    WHERE "kind" = 'audit' AND json_type("payload", '$.detail.id_last4') IS NOT NULL;
