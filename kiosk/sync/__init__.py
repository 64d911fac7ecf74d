"""Sync with the bureau (docs/design.md §6, docs/sync-protocol.md §5–§8): push the outbox up, pull
reference data down.  Plain Python; the worker thread hands its status to the UI through a
callback, which the app runs on its UI thread (Kivy's @mainthread)."""
