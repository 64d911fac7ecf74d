"""The audit trail's writer, where the console's areas first looked for it: it lives in
bureau/audit.py, so that bureau/programme (which the console's pages call) records changes without
importing the console (no cycle between the two rooms, tests/test_layers.py)."""

from bureau.audit import record

__all__ = ["record"]
