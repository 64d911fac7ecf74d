"""The bureau (老干部局) service: the headquarters every kiosk syncs with (docs/design.md §6).

    python -m bureau serve                        the HTTP service (bureau/app.py)
    python -m bureau site add|prefix|list …       register the sites, each with its member-number prefix
    python -m bureau kiosk add|list|rotate|revoke …   and each kiosk with its own key

The store is a SQLite file by default and PostgreSQL in production (bureau/store.py).
"""
