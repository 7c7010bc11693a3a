"""The outbox: every piece of background work (an email, a webhook delivery) is one row,
written in the transaction of the change that caused it, and every try at it is kept.

The outbox knows nothing of what it delivers: a message names a django-tasks task by its
import path and carries that task's JSON arguments.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Message(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (gave up)"

    # The task's import path, e.g. ``laurel.notifications.tasks.send_award_email``.
    kind = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict)
    # No foreign key: the outbox sits below the apps that own organisations. Kept so that one
    # organisation's backlog can be throttled without holding up another's.
    organisation_id = models.BigIntegerField(null=True, blank=True)
    # The person an email goes to (a user id; no foreign key, as above), so that an admin
    # can list what was sent to one person without reading every message's arguments.
    recipient_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Attempts finished (or lost with their worker); equals the number of Attempt rows.
    attempts = models.PositiveSmallIntegerField(default=0)
    run_after = models.DateTimeField()
    # While running: the worker holding it, until when. A worker renews its lease while it
    # lives; a lease that ran out belongs to a worker that died, and any worker may take over.
    lease_until = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="outbox_message_status_valid",
            ),
        ]
        indexes = [
            # What a worker claims next: pending messages that are due, oldest first.
            models.Index(
                fields=["run_after", "id"], condition=Q(status="pending"), name="outbox_message_due"
            ),
            # Running messages are few: the leases to renew or to take over.
            models.Index(
                fields=["lease_until"], condition=Q(status="running"), name="outbox_message_leased"
            ),
            # One person's emails, newest first.
            models.Index(
                fields=["recipient_id", "-id"],
                condition=Q(recipient_id__isnull=False),
                name="outbox_message_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind.rsplit('.', 1)[-1]} #{self.pk} ({self.status})"


class Attempt(models.Model):
    """One try at a message, successful or not."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    worker_id = models.CharField(max_length=100, blank=True)
    # Unknown for an attempt lost with its worker.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField()
    succeeded = models.BooleanField()
    error = models.CharField(max_length=1000, blank=True)
    # What the task reported: the answer of a webhook receiver, the traceback of a crash.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="outbox_attempt_once"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of message {self.message_id}"


class Schedule(models.Model):
    """When a periodic job is next due, for the whole cluster: the worker that moves
    ``next_run_at`` on (a conditional UPDATE) is the one that runs it."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Throttle(models.Model):
    """How fast one organisation's messages go out: a token bucket kept as the time its
    next message would be due at the steady rate (the "theoretical arrival time" of the
    generic cell rate algorithm). A bucket whose time lies ahead of now by more than the
    burst allows is empty, and that organisation's messages wait while others' go."""

    organisation_id = models.BigIntegerField(primary_key=True)
    next_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"organisation {self.organisation_id}: next at {self.next_at:%H:%M:%S.%f}"
