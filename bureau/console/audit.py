"""The audit trail's recorder, as the console's areas know it: it lives in bureau/audit.py, outside
this package, so that bureau/users.py, bureau/publish.py and bureau/programme/ can audit their
changes without importing the console (which imports them)."""

from bureau.audit import operator, record

__all__ = ["operator", "record"]
