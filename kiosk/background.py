"""Work done on a thread of its own (a sheet of hundreds of cards, an export): its own connection
to kiosk.db, closed when the work is done, so threads never share one."""

from collections.abc import Callable
from typing import TypeVar

from kiosk.store.db import db

T = TypeVar("T")


def run(action: Callable[[], T]) -> T:
    """`action()` on this thread's own connection, closed afterwards whatever happens."""
    try:
        return action()
    finally:
        db.close()
