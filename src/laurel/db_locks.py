"""The database's write lock: telling "another writer holds it" from a broken query, and
writing without waiting for it where the write is only bookkeeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import OperationalError, connection, transaction

T = TypeVar("T")

# PostgreSQL's lock_not_available: a lock_timeout or NOWAIT ran out.
_LOCK_NOT_AVAILABLE = "55P03"


def is_database_busy(error: BaseException) -> bool:
    """Whether ``error`` means that another writer held the lock for too long."""
    if not isinstance(error, OperationalError):
        return False
    message = str(error)
    if "database is locked" in message or "database table is locked" in message:
        return True  # SQLite: the busy timeout ran out
    return getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE


@contextmanager
def lock_wait(*, milliseconds: int) -> Iterator[None]:
    """Within the block, a write waits at most this long for a lock, then fails as busy.

    Afterwards the connection waits as configured again (DATABASE_LOCK_TIMEOUT_SECONDS).
    """
    if connection.vendor == "sqlite":
        configured = float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        shorten = f"PRAGMA busy_timeout = {int(milliseconds)}"
        restore = f"PRAGMA busy_timeout = {int(configured * 1000)}"
    elif connection.vendor == "postgresql":
        shorten = f"SET lock_timeout = {int(milliseconds)}"
        restore = "SET lock_timeout TO DEFAULT"  # the connection's own setting
    else:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(shorten)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(restore)


def unless_busy(write: Callable[[], T], *, milliseconds: int = 50) -> T | None:
    """Run ``write`` (one statement); None if the lock was not free in time.

    For writes that a request can do without (a token's last use, a request counter):
    while a long write elsewhere holds the lock they are skipped, so that a request that
    only reads is neither held up nor failed by them.
    """
    # Inside a transaction a savepoint keeps a refused write from spoiling the rest of it;
    # outside one, the write's single statement is its own transaction.
    in_transaction = connection.in_atomic_block
    try:
        with lock_wait(milliseconds=milliseconds):
            if not in_transaction:
                return write()
            with transaction.atomic():
                return write()
    except OperationalError as error:
        if is_database_busy(error):
            return None
        raise
