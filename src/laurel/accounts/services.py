"""Rate limits: at most N attempts in S seconds per key, counted in the database.

Sign-in counts wrong passwords per account and per address; the API counts requests per
organisation and wrong tokens per address. A password-reset view would use the same two
calls: ``rate_limit_status`` before acting, ``rate_limit_hit`` for each attempt.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection

from laurel.accounts.models import RateLimit, User


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int  # 0: no limit
    period_seconds: int

    @classmethod
    def named(cls, scope: str) -> Limit:
        """The limit configured in ``settings.RATE_LIMITS``."""
        max_hits, period_seconds = settings.RATE_LIMITS[scope]
        return cls(scope=scope, max_hits=max_hits, period_seconds=period_seconds)

    @property
    def enabled(self) -> bool:
        return self.max_hits > 0 and self.period_seconds > 0


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    # Seconds until the window ends and attempts are allowed again (0 when allowed).
    retry_after: int = 0


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _decision(
    limit: Limit, *, hits: int, window_start: int, now: int, counted: bool
) -> RateDecision:
    # Counting the attempt itself, more than max_hits is over; only checking, max_hits is.
    over = hits > limit.max_hits if counted else hits >= limit.max_hits
    if not over:
        return RateDecision(allowed=True)
    return RateDecision(
        allowed=False, retry_after=max(1, window_start + limit.period_seconds - now)
    )


def rate_limit_status(*, limit: Limit, key: str, now: float | None = None) -> RateDecision:
    """Whether another attempt would be allowed now; counts nothing."""
    if not limit.enabled:
        return RateDecision(allowed=True)
    moment = int(now if now is not None else time.time())
    row = (
        RateLimit.objects.filter(
            scope=limit.scope,
            key=_digest(key),
            window_start__gt=moment - limit.period_seconds,
        )
        .values_list("hits", "window_start")
        .first()
    )
    if row is None:
        return RateDecision(allowed=True)
    return _decision(limit, hits=row[0], window_start=row[1], now=moment, counted=False)


def rate_limit_hit(*, limit: Limit, key: str, now: float | None = None) -> RateDecision:
    """Count one attempt; say whether it is within the limit.

    One statement, so that concurrent attempts from many processes all count: the window
    starts at the first attempt and a new one starts with the first after it ends.
    """
    if not limit.enabled:
        return RateDecision(allowed=True)
    moment = int(now if now is not None else time.time())
    expired_before = moment - limit.period_seconds
    table = connection.ops.quote_name(RateLimit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (scope, key, window_start, hits) VALUES (%s, %s, %s, 1)
            ON CONFLICT (scope, key) DO UPDATE SET
                hits = CASE WHEN {table}.window_start <= %s THEN 1 ELSE {table}.hits + 1 END,
                window_start = CASE WHEN {table}.window_start <= %s
                    THEN excluded.window_start ELSE {table}.window_start END
            RETURNING hits, window_start
            """,  # noqa: S608 - the table name is our own
            [limit.scope, _digest(key), moment, expired_before, expired_before],
        )
        hits, window_start = cursor.fetchone()
    return _decision(limit, hits=hits, window_start=window_start, now=moment, counted=True)


def rate_limit_clear(*, limit: Limit, key: str) -> None:
    """Forget the attempts of ``key`` (after a successful sign-in, for instance)."""
    RateLimit.objects.filter(scope=limit.scope, key=_digest(key)).delete()


def rate_limits_prune(*, now: float | None = None) -> int:
    """Forget windows that have ended; the limits work without it, the table stays small."""
    moment = int(now if now is not None else time.time())
    longest = max((period for _, period in settings.RATE_LIMITS.values()), default=0)
    deleted, _ = RateLimit.objects.filter(window_start__lte=moment - longest).delete()
    return deleted


def email_address_confirm(*, user: User) -> None:
    """Record that ``user`` controls their address (they followed a link sent to it), as
    django-allauth keeps it: their one, primary, verified address."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
