"""Cursor pagination: ``?limit=`` and an opaque ``?cursor=`` that points past the last item."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

from laurel.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
CURSOR_MAX_LENGTH = 200
MAX_KEY = 2**63 - 1

M = TypeVar("M", bound=Model)


def encode_cursor(after: int) -> str:
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The key the previous page ended at; None for the first page."""
    if cursor is None or cursor == "":
        return None
    invalid = InvalidInput.field(
        "cursor", "The cursor is not one this API gave out; use next_cursor from a previous page."
    )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise invalid from None
    after = data.get("after") if isinstance(data, dict) else None
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_KEY:
        raise invalid
    return after


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def paginate(queryset: QuerySet[M], *, cursor: str | None, limit: int) -> Page[M]:
    """One page of ``queryset`` in the order of its primary key."""
    after = decode_cursor(cursor)
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(int(rows[-1].pk)) if more and rows else None
    return Page(items=rows, next_cursor=next_cursor)
