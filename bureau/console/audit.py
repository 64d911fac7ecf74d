"""The audit trail lives in bureau/audit.py, which bureau.programme may import without a cycle
between the rooms console and programme (tests/test_layers.py); this name keeps working."""

from bureau.audit import record

__all__ = ["record"]
