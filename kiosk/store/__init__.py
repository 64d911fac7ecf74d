"""The kiosk's SQLite store: the one way to write (db), the tables (models), their versioned schema
(migrations/) and the sync outbox written with every change (facts)."""
