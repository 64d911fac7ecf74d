-- 0002: ID cards that matched no member, kept for staff to register the newcomer (docs/design.md §4.9, §9.1).
CREATE TABLE "newcomer_card" ("id" INTEGER NOT NULL PRIMARY KEY, "id_hash" VARCHAR(255) NOT NULL, "id_last4" VARCHAR(255) NOT NULL, "at" DATETIME NOT NULL, "card_type" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "name_flagged" INTEGER NOT NULL, "gender" VARCHAR(255) NOT NULL, "birth_date" DATE, "nation" VARCHAR(255) NOT NULL, "address" VARCHAR(255) NOT NULL, "valid_to" DATE, "long_term" INTEGER NOT NULL);
CREATE UNIQUE INDEX "newcomer_card_id_hash" ON "newcomer_card" ("id_hash");
CREATE INDEX "newcomer_card_at" ON "newcomer_card" ("at");
