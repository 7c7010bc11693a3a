"""Emails. One function per email, each with subject, text and HTML templates."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
    """Email each recipient about their new certificate, once.

    Each award is claimed with a conditional UPDATE before its email goes out, so two
    workers running the same task never send twice. If sending fails the claim is
    released and the error raised, so the task is retried and nothing is lost.
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
        claimed = IssuedCertificate.objects.filter(pk=award.pk, notified_at__isnull=True).update(
            notified_at=claimed_at
        )
        if not claimed:
            continue
        try:
            _send(
                template="certificate_awarded",
                to=award.user.email,
                context={
                    "award": award,
                    "url": f"{settings.SITE_URL}/c/{award.public_id}",
                },
            )
        except Exception:
            IssuedCertificate.objects.filter(pk=award.pk, notified_at=claimed_at).update(
                notified_at=None
            )
            logger.exception("Could not send the award email for award %s", award.pk)
            raise
        sent += 1
    return sent
