-- Kiosk keys sealed with the server's secret (bureau/sealing.py) are longer than the 64 hex
-- digits of a key: key and old_key become VARCHAR(160).  The keys themselves are sealed by
-- bureau.schema.open_store, which refuses a PostgreSQL store without the secret: AES-GCM is not SQL.
ALTER TABLE "kiosk" ALTER COLUMN "key" TYPE VARCHAR(160);
ALTER TABLE "kiosk" ALTER COLUMN "old_key" TYPE VARCHAR(160);
