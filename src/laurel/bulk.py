"""Hand-written SQL over many rows: chunks and IN-lists within the database's limit on
parameters per statement, and parameter values stored as the ORM stores them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

# Parameters per statement stay well under SQLite's limit of 32,766.
CHUNK = 5000


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def in_list(column: str, values: Sequence[T]) -> tuple[str, list[T]]:
    """``column IN (%s, ...)`` and its parameters; a condition that is false for no values."""
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def datetime_param(value: datetime) -> Any:
    """A time as the ORM writes it, for a raw statement: SQLite compares times as text, so
    every row of a column must be written in the same form for comparisons to hold."""
    return connection.ops.adapt_datetimefield_value(value)
