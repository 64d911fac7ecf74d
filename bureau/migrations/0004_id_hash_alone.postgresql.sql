-- 0004: an id_hash alone (docs/design.md §9.1, docs/sync-protocol.md §6.1).  A kiosk holds only the
-- members it needs: "members" now gives each site's kiosks their own members in full, the new stream
-- "cards" every kiosk what a visiting senior's card read needs.  The members stream gets a new handle,
-- so every kiosk fetches it again and forgets other sites' members' names and phones.  The data step
-- of this version (bureau/migrations/steps.py) makes every id_hash the slow derivation of the HMAC it
-- was (contract.idhash) and publishes every member again in both streams.
INSERT INTO "stream_meta" ("stream", "handle", "head_rev", "min_retained_rev")
    VALUES ('cards', md5(random()::text || clock_timestamp()::text), 0, 0) ON CONFLICT DO NOTHING;
UPDATE "stream_meta" SET "handle" = md5(random()::text || clock_timestamp()::text) WHERE "stream" = 'members';
