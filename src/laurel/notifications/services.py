"""Emails. One function per email, each with subject, text and HTML templates."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from laurel.certificates.models import IssuedCertificate

logger = logging.getLogger(__name__)


def _send(*, template: str, to: str, context: dict[str, object]) -> None:
    subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    message.send()


def award_notifications_send(*, award_ids: list[int]) -> int:
    """Email each recipient about their new certificate.

    Each award is claimed with a conditional UPDATE before its email goes out, so two
    workers running the same task do not both send. If sending fails the claim is
    released and the error raised, so the task is retried. If a worker dies mid-send its
    claim expires after the task lease and the retried task sends the email then: an
    email is never lost, and is sent twice only if a worker dies between the mail server
    accepting it and the row being marked.
    """
    sent = 0
    awards = (
        IssuedCertificate.objects.filter(
            pk__in=award_ids, notified_at__isnull=True, is_current=True
        )
        .select_related("user")
        .order_by("pk")
    )
    for award in awards:
        claimed_at = timezone.now()
        claim_expired = claimed_at - timedelta(seconds=settings.TASK_LEASE_SECONDS)
        claimed = (
            IssuedCertificate.objects.filter(pk=award.pk, notified_at__isnull=True, is_current=True)
            .filter(
                Q(notification_claimed_at__isnull=True)
                | Q(notification_claimed_at__lt=claim_expired)
            )
            .update(notification_claimed_at=claimed_at)
        )
        if not claimed:
            continue
        mine = IssuedCertificate.objects.filter(pk=award.pk, notification_claimed_at=claimed_at)
        try:
            _send(
                template="certificate_awarded",
                to=award.user.email,
                context={"award": award, "url": f"{settings.SITE_URL}/c/{award.public_id}"},
            )
        except Exception:
            mine.update(notification_claimed_at=None)
            logger.exception("Could not send the award email for award %s", award.pk)
            raise
        mine.update(notified_at=timezone.now())
        sent += 1
    return sent
