"""What an exception means, for staff and the log: the cause at the end of its chain, a full disk,
a damaged database file.  SQLite rolls a transaction back itself when the disk is full, and the
ROLLBACK that follows fails with "cannot rollback - no transaction is active": the real cause is
further down the chain."""

import errno
import sqlite3

SQLITE_FULL = 13
DAMAGE_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
FULL = "store.full"  # the message key of a full disk: 存储空间已满


def is_damage(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database file is damaged."""
    return any(_code(e) in DAMAGE_CODES for e in chain(error))


def is_full(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is a full disk."""
    return any(_code(e) == SQLITE_FULL or (isinstance(e, OSError) and e.errno == errno.ENOSPC) for e in chain(error))


def chain(error: BaseException) -> list[BaseException]:
    """`error` and every exception it was raised from or while handling, outermost first."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _code(error: BaseException) -> int | None:
    return getattr(error, "sqlite_errorcode", None) if isinstance(error, sqlite3.Error) else None
