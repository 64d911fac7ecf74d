-- 0007: a spreadsheet uploaded for a preview is kept in the store until it is confirmed, so that the
-- confirmation may reach any of the bureau's workers (bureau/console/imports.py).

CREATE TABLE IF NOT EXISTS "pending_import" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "token_hash" VARCHAR(64) NOT NULL,
    "session_id" INTEGER NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "term_id" INTEGER NOT NULL,
    "course_id" INTEGER,
    "name" VARCHAR(255) NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    FOREIGN KEY ("session_id") REFERENCES "web_session" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("term_id") REFERENCES "term" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("course_id") REFERENCES "course" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "pending_import_token_hash" ON "pending_import" ("token_hash");
CREATE INDEX IF NOT EXISTS "pending_import_session_id" ON "pending_import" ("session_id");
CREATE INDEX IF NOT EXISTS "pending_import_term_id" ON "pending_import" ("term_id");
CREATE INDEX IF NOT EXISTS "pending_import_course_id" ON "pending_import" ("course_id");
CREATE INDEX IF NOT EXISTS "pending_import_created_at" ON "pending_import" ("created_at");
