"""Putting an email together (both parts, the organisation's name as sender, the
one-click unsubscribe headers) and handing it to the mail server.

A worker sends thousands of emails in a row, so it keeps one connection to the mail
server open between them instead of connecting, greeting and logging in for each.
"""

from __future__ import annotations

import contextlib
import functools
import random
import re
import secrets
import smtplib
import socket
import threading
from base64 import b64encode
from binascii import b2a_qp
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS

from laurel.notifications.services.preferences import unsubscribe_token
from laurel.outbox.handover import handover, while_waiting

_kept = threading.local()


def site_url(path: str) -> str:
    """An absolute address on this site, for emails (SITE_URL)."""
    return settings.SITE_URL + path


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    before, after = _unsubscribe_path(get_script_prefix(), get_urlconf())
    # What ``reverse`` gives for the token (one per email), without resolving it each time.
    return site_url(before + quote(token, safe=RFC3986_SUBDELIMS + "/~:@") + after)


@functools.lru_cache(maxsize=16)
def _unsubscribe_path(script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The unsubscribe page's path, split where its token goes."""
    path = reverse("notifications:unsubscribe", args=[_TOKEN_MARK])
    before, _, after = path.partition(_TOKEN_MARK)
    return before, after


_TOKEN_MARK = "Zq7TokenXq"  # noqa: S105 - where a token goes, not a secret


def sender(organisation_name: str | None) -> str:
    """DEFAULT_FROM_EMAIL's address, shown under the organisation's name."""
    return _sender(settings.DEFAULT_FROM_EMAIL, organisation_name)


@functools.lru_cache(maxsize=1024)
def _sender(default_from: str, organisation_name: str | None) -> str:
    display, address = parseaddr(default_from)
    # One line: a name with line breaks must not add headers.
    name = " ".join((organisation_name or display or "Laurel").split())
    return formataddr((name, address))


@dataclass(frozen=True)
class Rendered:
    """An email's three templates, rendered."""

    subject: str
    text: str
    html: str


def email_render(*, template: str, context: Mapping[str, object]) -> Rendered:
    """The subject, text and HTML of ``notifications/email/{template}``."""
    return Rendered(
        subject=render_to_string(f"notifications/email/{template}_subject.txt", context),
        text=render_to_string(f"notifications/email/{template}.txt", context),
        html=render_to_string(f"notifications/email/{template}.html", context),
    )


def email_build(
    *,
    template: str,
    to: str,
    context: dict[str, object],
    organisation_name: str | None,
    unsubscribe: str,
    rendered: Rendered | None = None,
) -> EmailMultiAlternatives:
    """The email of ``notifications/email/{template}`` (subject, text and HTML; or
    ``rendered``, if they were), with the unsubscribe pair of headers that large mailbox
    providers ask of bulk senders (RFC 2369, and RFC 8058's one-click POST)."""
    if rendered is None:
        rendered = email_render(
            template=template, context={**context, "unsubscribe_url": unsubscribe}
        )
    message = EmailMultiAlternatives(
        subject=" ".join(rendered.subject.split()),
        body=rendered.text,
        from_email=sender(organisation_name),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


class FormLetters:
    """The emails of one template to many people, rendered at the cost of a few: what an
    award email costs a worker is mostly its three templates, and the emails of one award
    differ only in a few values.

    The templates are rendered once for each combination of what the emails share (a
    ``shared`` key: the certificate's name, the organisation, ...) from a context whose
    personal values (a name, an id, a token) are placeholders; each email is that letter
    with the placeholders replaced by its own values, HTML-escaped in the HTML part as the
    template escapes them. So that a letter is never different from rendering, the first
    email of each combination is rendered in full too and compared with its letter: if
    they differ (a template that changes one of those values, say with a filter, or shows
    something the key leaves out), that combination is rendered in full for every email.
    The check cannot see a filter that changes some values and not others (truncating
    long names) when the first email's value is one it leaves alone, so a template must
    show the personal values as they are. The letters are kept per process, a few hundred
    at most.
    """

    MAX_LETTERS = 256

    def __init__(self, template: str, personal: Sequence[str]) -> None:
        self.template = template
        # Letters and digits only, so that escaping or URL quoting leaves them as they are;
        # upper and lower case, so that a filter changing case shows.
        tag = secrets.token_hex(4)
        self.placeholders = {name: f"Zq{tag}{name.title()}Xq" for name in personal}
        self._pattern = re.compile("|".join(map(re.escape, self.placeholders.values())))
        self._letters: dict[Hashable, Rendered | None] = {}

    def render(
        self,
        *,
        shared: Hashable,
        personal: Mapping[str, str],
        context: Callable[[], Mapping[str, object]],
        letter_context: Callable[[Mapping[str, str]], Mapping[str, object]],
    ) -> Rendered:
        """The email whose shared part is ``shared`` and whose own values are
        ``personal``: ``context()`` is its full context, ``letter_context(values)`` the
        context of the letter with those values (the placeholders) in their places."""
        if shared not in self._letters:
            letter = email_render(template=self.template, context=letter_context(self.placeholders))
            full = email_render(template=self.template, context=context())
            if len(self._letters) >= self.MAX_LETTERS:
                self._letters.clear()
            self._letters[shared] = letter if self._fill(letter, personal) == full else None
            return full
        kept = self._letters[shared]
        if kept is None:
            return email_render(template=self.template, context=context())
        return self._fill(kept, personal)

    def _fill(self, letter: Rendered, personal: Mapping[str, str]) -> Rendered:
        by_placeholder = {self.placeholders[name]: value for name, value in personal.items()}
        escaped = {placeholder: escape(value) for placeholder, value in by_placeholder.items()}
        return Rendered(
            subject=self._pattern.sub(lambda m: by_placeholder[m.group(0)], letter.subject),
            text=self._pattern.sub(lambda m: by_placeholder[m.group(0)], letter.text),
            html=self._pattern.sub(lambda m: escaped[m.group(0)], letter.html),
        )


# The longest line SMTP carries (RFC 5321), without its CRLF.
LINE_LIMIT = 998


# The most UTF-8 bytes one RFC 2047 encoded word carries within its 75 characters.
ENCODED_WORD_BYTES = 45
# An address that needs neither encoding nor quoting: sent as it is.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


@functools.lru_cache(maxsize=1024)
def _encoded_words(value: str) -> str:
    """``value`` as RFC 2047 encoded words (base64 UTF-8), one per folded line, never
    splitting a character. Kept: a batch of emails shares its subject."""
    data = value.encode("utf-8")
    words: list[bytes] = []
    start = 0
    while start < len(data):
        end = min(start + ENCODED_WORD_BYTES, len(data))
        # Never end a word inside a character: back up over continuation bytes.
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        words.append(data[start:end])
        start = end
    return "\r\n ".join(f"=?utf-8?b?{b64encode(word).decode('ascii')}?=" for word in words or [b""])


def _header(name: str, value: str) -> bytes:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name!r})")
    if not value.isascii() or len(name) + len(value) > LINE_LIMIT - 2:
        value = _encoded_words(value)
    return f"{name}: {value}\r\n".encode("ascii")


@functools.lru_cache(maxsize=1024)
def _address(address: str) -> str:
    """An address as a header and the SMTP envelope carry it (Django's
    ``sanitize_address``, which takes as long as the rest of an email: kept, as a worker
    sends from a few addresses and to plain ones)."""
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, "utf-8")


LONG_LINE = re.compile(rb"[^\n]{%d}" % (LINE_LIMIT + 1))


def _part(content: str, subtype: str) -> bytes:
    data = content.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if LONG_LINE.search(data) is None:
        encoding = "8bit"
    else:
        encoding, data = "quoted-printable", b2a_qp(data, istext=True)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode("ascii") + data.replace(b"\n", b"\r\n")


def email_bytes(message: EmailMultiAlternatives) -> bytes:
    """``message`` as an SMTP server receives it: a text part and an HTML part, in UTF-8.

    Put together here rather than by the ``email`` package's generator, which took longer
    than everything else a worker does for an award email (about 1.3 ms of its 3). The
    result is the same MIME: 8bit parts (quoted-printable if a line would be too long
    for SMTP), headers encoded as RFC 2047 asks when they are not plain ASCII. An email
    of any other shape (attachments, copies, another subtype) is left to Django.
    """
    alternatives = [(a[0], a[1]) for a in message.alternatives]
    plain_shape = (
        message.content_subtype == "plain"
        and len(alternatives) == 1
        and alternatives[0][1] == "text/html"
        and isinstance(alternatives[0][0], str)
        and not (message.attachments or message.cc or message.bcc or message.reply_to)
        and (message.encoding or settings.DEFAULT_CHARSET).lower() in ("utf-8", "utf8")
    )
    if not plain_shape:
        return message.message().as_bytes(linesep="\r\n")
    extra = dict(message.extra_headers)
    given = {name.lower() for name in extra}
    # Unpredictable enough to appear nowhere in the parts, as the email package's own
    # boundaries (which are not secrets either); os.urandom cost more than the rest here.
    boundary = f"=={random.getrandbits(128):032x}=="
    headers = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode("ascii"),
        b"MIME-Version: 1.0\r\n",
        _header("Subject", str(message.subject)),
    ]
    if "from" not in given:
        headers.append(_header("From", _address(message.from_email)))
    if "to" not in given:
        to = ", ".join(_address(address) for address in message.to)
        headers.append(_header("To", to))
    if "date" not in given:
        headers.append(_header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    if "message-id" not in given:
        headers.append(_header("Message-ID", make_msgid(domain=str(DNS_NAME))))
    for name, value in extra.items():
        if name.lower() in ("from", "to"):
            value = _address(value)
        headers.append(_header(name, str(value)))
    separator = f"--{boundary}\r\n".encode("ascii")
    return b"".join(
        [
            *headers,
            b"\r\n",
            separator,
            _part(str(message.body), "plain"),
            b"\r\n",
            separator,
            _part(str(alternatives[0][0]), "html"),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ]
    )


@functools.lru_cache(maxsize=1024)
def _envelope(address: str) -> str:
    """An address (as ``_address`` made it) as the SMTP envelope carries it: what
    smtplib's ``quoteaddr`` gives, without parsing a plain address again."""
    if PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


PERIOD_AT_LINE_START = re.compile(rb"(?m)^\.")


def _abandon(client: smtplib.SMTP, code: int) -> None:
    """End a refused mail transaction as smtplib does: a server closing (421) is closed,
    any other is reset for the next email."""
    if code == 421:
        client.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        client.rset()


def _smtp_send(client: smtplib.SMTP, sender: str, recipients: Sequence[str], data: bytes) -> None:
    """smtplib's ``sendmail`` for one email, with the outbox's ``handover()`` right before
    the final ``.`` of ``DATA``.

    Until that ``.`` the server has taken nothing: if ``handover()`` raises (the message
    a worker sent before could not be marked), the connection is closed and the server
    drops the email. Everything before it (``MAIL``, ``RCPT``, ``DATA`` and the content)
    happens while the worker records the message before. Errors are smtplib's own.
    """
    if client.sock is not None:
        # The final ``.`` goes in a write of its own: without this, the kernel would hold
        # it back until the server acknowledged the content (up to 40 ms, delayed ACK).
        client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.ehlo_or_helo_if_needed()
    size = f" size={len(data)}" if client.does_esmtp and client.has_extn("size") else ""
    code, reply = client.docmd("mail", f"FROM:{_envelope(sender)}{size}")
    if code != 250:
        _abandon(client, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        code, reply = client.docmd("rcpt", f"TO:{_envelope(recipient)}")
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421:
            client.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _abandon(client, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = client.docmd("data")
    if code != 354:
        _abandon(client, code)
        raise smtplib.SMTPDataError(code, reply)
    content = PERIOD_AT_LINE_START.sub(b"..", data)
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    client.send(content)
    try:
        handover()
    except BaseException:
        client.close()
        raise
    client.send(b".\r\n")
    while_waiting()
    code, reply = client.getreply()
    if code != 250:
        _abandon(client, code)
        raise smtplib.SMTPDataError(code, reply)


@dataclass(frozen=True)
class ReadyEmail:
    """An email put together for the mail server: its envelope and its bytes."""

    message: EmailMultiAlternatives
    sender: str
    recipients: list[str]
    data: bytes


def email_ready(message: EmailMultiAlternatives) -> ReadyEmail:
    """``message`` as ``email_deliver`` hands it to an SMTP server (no effect but the
    work: a worker does it ahead, while the email before waits for the server)."""
    encoding = (message.encoding or settings.DEFAULT_CHARSET).lower()
    if encoding in ("utf-8", "utf8"):
        sender, recipients = _address(message.from_email), [*map(_address, message.recipients())]
    else:
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    return ReadyEmail(message, sender, recipients, email_bytes(message))


def _send_over(connection: smtp.EmailBackend, ready: ReadyEmail) -> None:
    """What the SMTP backend's ``send_messages`` does for one email, with the email put
    together by ``email_ready`` and sent by ``_smtp_send``."""
    if connection.connection is None:
        raise smtplib.SMTPServerDisconnected("Not connected to the mail server.")
    _smtp_send(connection.connection, ready.sender, ready.recipients, ready.data)


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


def email_deliver(email: EmailMultiAlternatives | ReadyEmail) -> None:
    """Hand an email (or one ``email_ready`` put together) to the mail server, over the
    connection kept from the last email if it is still open. Raises if the server did not
    take it (the outbox tries again)."""
    connection = _kept_smtp_connection()
    if connection is None:
        # Files (one per email, under var/mail), the console, the tests' memory: a
        # connection of its own each time.
        handover()
        get_connection().send_messages([email.message if isinstance(email, ReadyEmail) else email])
        return
    ready = email if isinstance(email, ReadyEmail) else email_ready(email)
    opened = connection.open()
    try:
        _send_over(connection, ready)
    except (smtplib.SMTPServerDisconnected, ConnectionError):
        connection.close()
        if opened:
            raise
        # The server closed the connection kept from an earlier email (it was idle too
        # long) before taking this one: connect again, once.
        connection.open()
        _send_over(connection, ready)
    except BaseException:
        connection.close()
        raise
