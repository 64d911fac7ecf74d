-- 0010: notices (通知, 停课, 调课) the bureau publishes on the "items" stream (notice:<key>), shown on the
-- attract and home screens from start to end; spoken_at remembers that the voice announced one, once.
CREATE TABLE "notice" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "title" VARCHAR(255) NOT NULL, "body" TEXT NOT NULL, "start" DATETIME NOT NULL, "end" DATETIME NOT NULL, "spoken_at" DATETIME);
CREATE UNIQUE INDEX "notice_key" ON "notice" ("key");
CREATE INDEX "notice_end" ON "notice" ("end");
