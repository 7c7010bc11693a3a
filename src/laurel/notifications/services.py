"""Emails. One function per email, each with subject, text and HTML templates."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from laurel.certificates.models import IssuedCertificate


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


def award_email_send(*, award_id: int) -> int | None:
    """Email the recipient of ``award_id`` about their certificate, in its current version
    (a correction made before the email went out is what they receive). Returns the id of
    the version sent, or None if there is nothing to send (the award is gone).

    Run by the outbox, whose message is the record of sending: once the email is out the
    message is done and not run again. The one window for a second copy is a worker dying
    between the mail server accepting the email and the message being marked done.
    """
    award = (
        IssuedCertificate.objects.filter(pk=award_id).values_list("public_id", flat=True).first()
    )
    if award is None:
        return None
    current = (
        IssuedCertificate.objects.filter(public_id=award, is_current=True)
        .select_related("user")
        .first()
    )
    if current is None:
        return None
    _send(
        template="certificate_awarded",
        to=current.user.email,
        context={"award": current, "url": f"{settings.SITE_URL}/c/{current.public_id}"},
    )
    return current.pk
