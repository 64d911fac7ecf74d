-- 0013: the points catalogue the bureau publishes on the "items" stream (catalogue:<key>): name,
-- price, stock as the bureau counted it, valid dates; this kiosk's own stock changes the bureau does
-- not count yet (a handover, a handover cancelled), kept until it publishes the item again after
-- it has their facts; and the seniors' requests asked here, open until staff hand them over or
-- cancel them (docs/design.md §4.5).
CREATE TABLE "catalogue_item" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "points" INTEGER NOT NULL, "stock" INTEGER, "valid_from" DATE, "valid_to" DATE);
CREATE UNIQUE INDEX "catalogue_item_key" ON "catalogue_item" ("key");
CREATE TABLE "catalogue_move" ("id" INTEGER NOT NULL PRIMARY KEY, "item_key" VARCHAR(255) NOT NULL, "event_id" VARCHAR(255) NOT NULL, "delta" INTEGER NOT NULL);
CREATE INDEX "catalogue_move_item_key" ON "catalogue_move" ("item_key");
CREATE UNIQUE INDEX "catalogue_move_event_id" ON "catalogue_move" ("event_id");
CREATE TABLE "redemption_request" ("id" INTEGER NOT NULL PRIMARY KEY, "event_id" VARCHAR(255) NOT NULL, "member_id" INTEGER NOT NULL, "item_key" VARCHAR(255) NOT NULL, "item_name" VARCHAR(255) NOT NULL, "points" INTEGER NOT NULL, "at" DATETIME NOT NULL, "status" VARCHAR(255) NOT NULL, "entry" VARCHAR(255), "handed_at" DATETIME, "cancelled_at" DATETIME, FOREIGN KEY ("member_id") REFERENCES "member" ("id"));
CREATE UNIQUE INDEX "redemption_request_event_id" ON "redemption_request" ("event_id");
CREATE INDEX "redemption_request_status_at" ON "redemption_request" ("status", "at");
CREATE INDEX "redemption_request_member_id_status" ON "redemption_request" ("member_id", "status");
