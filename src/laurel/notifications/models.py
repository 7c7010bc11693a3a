"""What people asked not to be sent, and which sessions they were reminded of.

The emails themselves are outbox messages (``laurel.outbox``), each with its recipient's
id, so that what was sent to one person, when, and what failed is read from the outbox.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from laurel.programs.models import Program, Session


class EmailKind(models.TextChoices):
    """The kinds of email a person can switch off, each on its own."""

    AWARD = "award", _("Certificate awarded")
    REMINDER = "reminder", _("Feedback reminders")
    BADGE = "badge", _("Badge awarded")


class EmailOptOut(models.Model):
    """A person switched one kind of email off. No row: they receive it."""

    class Via(models.TextChoices):
        LINK = "link", _("The unsubscribe link in an email")
        SETTINGS = "settings", _("Their settings page")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    via = models.CharField(max_length=10, choices=Via.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["award", "reminder", "badge"]),
                name="email_opt_out_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id}: no {self.kind} emails"


class FeedbackReminder(models.Model):
    """A person was reminded that a session of theirs is waiting for feedback. One row per
    person and session: a session is mentioned in at most one reminder to each member, and
    the newest row says when a person was last reminded (at most once a week)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()
    # The admin who sent it by hand; None for the weekly job.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="feedback_reminder_once"),
        ]
        indexes = [models.Index(fields=["user", "-sent_at"], name="feedback_reminder_latest")]

    def __str__(self) -> str:
        return f"user {self.user_id} reminded of session {self.session_id}"
