"""Outgoing webhooks: the endpoints an organisation registered, and every delivery to them.

A delivery is the record of what is sent where, written in the same transaction as the
award or revocation it reports, with its outbox message: the outbox sends it, retries it
with backoff and keeps every attempt. How a delivery is going is read from that message.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models

from laurel.certificates.models import IssuedCertificate
from laurel.outbox.models import Message
from laurel.programs.models import Organisation


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Shared with the receiver, who checks signatures with it; so it is stored as it is.
    secret = models.CharField(max_length=100)
    sends_awarded = models.BooleanField(default=True)
    sends_revoked = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class Event(models.TextChoices):
        AWARDED = "certificate.awarded", "Certificate awarded"
        REVOKED = "certificate.revoked", "Certificate revoked"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    award = models.ForeignKey(IssuedCertificate, on_delete=models.CASCADE, related_name="+")
    # Sent to the receiver so that it can recognise a delivery it has already processed.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True)
    payload = models.JSONField()
    # Which time the event happened to the award: a certificate reinstated and revoked
    # again is reported again.
    occurrence = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    # Sending it, its attempts and what comes next: the outbox's business.
    message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "award", "occurrence"],
                name="webhook_delivery_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"

    @property
    def status(self) -> str:
        return STATUS_OF_MESSAGE[Message.Status(self.message.status)]

    @property
    def attempts(self) -> int:
        return self.message.attempts

    @property
    def next_attempt_at(self) -> datetime:
        return self.message.run_after

    @property
    def delivered_at(self) -> datetime | None:
        return self.message.finished_at if self.message.status == Message.Status.DONE else None


STATUS_OF_MESSAGE = {
    Message.Status.PENDING: WebhookDelivery.Status.PENDING,
    Message.Status.RUNNING: WebhookDelivery.Status.PENDING,
    Message.Status.DONE: WebhookDelivery.Status.DELIVERED,
    Message.Status.FAILED: WebhookDelivery.Status.FAILED,
}
