"""Emails about a person's account (sign-in codes, password resets), sent by the outbox."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_account_email(
    *, to: list[str], subject: str, secret_text: str, secret_html: str = ""
) -> dict[str, int]:
    """Send an email that was rendered when it was asked for.

    Its bodies hold a code or a link that signs someone in, so their argument names start
    with ``secret_``: the admin's view of the outbox does not show them.
    """
    message = EmailMultiAlternatives(
        subject=subject, body=secret_text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if secret_html:
        message.attach_alternative(secret_html, "text/html")
    return {"sent": message.send()}
