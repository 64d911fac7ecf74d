"""The audit trail lives in bureau/audit.py, beside the store, so that bureau.programme (which the
console's pages import) records its changes without importing the console back."""

from bureau.audit import record

__all__ = ["record"]
