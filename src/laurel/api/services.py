"""Writes for API access: tokens and idempotency records."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from laurel.api.models import ApiToken, IdempotencyRecord
from laurel.db_locks import unless_busy
from laurel.errors import Conflict, NotFound
from laurel.programs.models import Organisation
from laurel.validation import clean_line

TOKEN_PREFIX = "lrl_"  # noqa: S105 - a label, not a secret
# Recording every use would make each read a write; a minute's precision is enough.
LAST_USED_PRECISION = timedelta(minutes=1)
IDEMPOTENCY_RETENTION = timedelta(hours=24)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str


def api_token_create(*, organisation: Organisation, name: str = "") -> NewToken:
    """A new token for ``organisation``. The raw token is returned here and never again."""
    name = clean_line(name, field="name", label="Token name", max_length=200, required=False)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation, name=name, prefix=raw[:12], digest=token_digest(raw)
    )
    return NewToken(token=token, raw=raw)


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Stop a token from working. Revoking twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
        token.refresh_from_db()
    return token


def api_token_revoke_by_prefix(*, prefix: str) -> ApiToken:
    matches = list(ApiToken.objects.filter(prefix__startswith=prefix)[:2]) if prefix else []
    if not matches:
        raise NotFound(f"No token starts with {prefix!r}.")
    if len(matches) > 1:
        raise Conflict(f"More than one token starts with {prefix!r}; give more characters.")
    return api_token_revoke(token=matches[0])


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token with this value; None if there is none. Reads only."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    return (
        ApiToken.objects.select_related("organisation")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .first()
    )


def api_token_record_use(*, token: ApiToken, now: datetime | None = None) -> bool:
    """Note that ``token`` was used now, at most once a minute; True if it was written.

    Bookkeeping must not hold up or fail the request that uses the token, which mostly
    only reads: the write runs after the request's transaction (if any) and is skipped
    when another writer holds the database's lock.
    """
    now = now or timezone.now()
    if token.last_used_at is not None and token.last_used_at >= now - LAST_USED_PRECISION:
        return False

    def record() -> bool:
        return bool(
            ApiToken.objects.filter(pk=token.pk)
            .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION))
            .update(last_used_at=now)
        )

    written = unless_busy(record)
    if written:
        token.last_used_at = now
    return bool(written)


def idempotency_records_prune(*, now: datetime | None = None) -> int:
    """Forget remembered answers older than the retention period."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - IDEMPOTENCY_RETENTION
    ).delete()
    return deleted
