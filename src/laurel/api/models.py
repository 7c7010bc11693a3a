"""API tokens and the responses remembered for idempotency keys."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from laurel.programs.models import Organisation

IDEMPOTENCY_KEY_MAX_LENGTH = 255


class ApiToken(models.Model):
    """A bearer token that acts for one organisation. Only its SHA-256 digest is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=200, blank=True)
    # The first characters of the token, so that a person can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first answer to a POST that carried an ``Idempotency-Key``.

    It is written in the same transaction as the request's own changes, so either both
    are there or neither; the unique constraint makes a concurrent retry wait for the
    first request and then replay its answer.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    # SHA-256 of the method, the path and the (canonical JSON) body.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="idempotency_key_unique"),
            models.CheckConstraint(
                condition=Q(status_code__gte=100) & Q(status_code__lt=600),
                name="idempotency_status_range",
            ),
        ]
        indexes = [models.Index(fields=["created_at"])]
