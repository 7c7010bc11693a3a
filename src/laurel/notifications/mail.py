"""Putting an email together (both parts, the organisation's name as sender, the
one-click unsubscribe headers) and handing it to the mail server.

A worker sends thousands of emails in a row, so it keeps one connection to the mail
server open between them instead of connecting, greeting and logging in for each.
"""

from __future__ import annotations

import smtplib
import threading
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends import smtp
from django.template.loader import render_to_string
from django.urls import reverse

from laurel.notifications.services.preferences import unsubscribe_token

_kept = threading.local()


def site_url(path: str) -> str:
    """An absolute address on this site, for emails (SITE_URL)."""
    return settings.SITE_URL + path


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return site_url(reverse("notifications:unsubscribe", args=[token]))


def sender(organisation_name: str | None) -> str:
    """DEFAULT_FROM_EMAIL's address, shown under the organisation's name."""
    display, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # One line: a name with line breaks must not add headers.
    name = " ".join((organisation_name or display or "Laurel").split())
    return formataddr((name, address))


def email_build(
    *,
    template: str,
    to: str,
    context: dict[str, object],
    organisation_name: str | None,
    unsubscribe: str,
) -> EmailMultiAlternatives:
    """The email of ``notifications/email/{template}`` (subject, text and HTML), with the
    unsubscribe pair of headers that large mailbox providers ask of bulk senders (RFC 2369,
    and RFC 8058's one-click POST)."""
    context = {**context, "unsubscribe_url": unsubscribe}
    subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        from_email=sender(organisation_name),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    return message


def _kept_smtp_connection() -> smtp.EmailBackend | None:
    """This thread's connection to the SMTP server, made again when the settings change
    (tests switch backends); None when email does not go to an SMTP server."""
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
    if getattr(_kept, "key", None) != key:
        old = getattr(_kept, "connection", None)
        if old is not None:
            old.close()
        connection = get_connection()
        _kept.connection = connection if isinstance(connection, smtp.EmailBackend) else None
        _kept.key = key
    kept: smtp.EmailBackend | None = _kept.connection
    return kept


def email_deliver(message: EmailMultiAlternatives) -> None:
    """Hand ``message`` to the mail server, over the connection kept from the last email
    if it is still open. Raises if the server did not take it (the outbox tries again)."""
    connection = _kept_smtp_connection()
    if connection is None:
        # Files (one per email, under var/mail), the console, the tests' memory: a
        # connection of its own each time.
        get_connection().send_messages([message])
        return
    opened = connection.open()
    try:
        connection.send_messages([message])
    except (smtplib.SMTPServerDisconnected, ConnectionError):
        connection.close()
        if opened:
            raise
        # The server closed the connection kept from an earlier email (it was idle too
        # long) before taking this one: connect again, once.
        connection.open()
        connection.send_messages([message])
    except BaseException:
        connection.close()
        raise
