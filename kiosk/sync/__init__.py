"""Sync with the bureau (DESIGN §6, reference/sync-protocol.md §7): push the outbox up, pull
reference data down.  Plain Python; the worker thread hands its status to the UI through a
callback, which the app turns into a Clock.schedule_once."""
