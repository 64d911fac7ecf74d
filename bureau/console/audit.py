"""The audit trail lives in bureau/audit.py, which bureau.programme, bureau/users.py and
bureau/publish.py may import without a cycle between their rooms and the console's
(tests/test_layers.py); this name keeps working."""

from bureau.audit import operator, record

__all__ = ["operator", "record"]
