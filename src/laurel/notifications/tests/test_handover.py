"""A worker records each email's attempt while it sends the next one, and still commits
that record before the mail server takes the next email (``laurel.outbox.handover``).

The SMTP server here notes when a client begins an email (``MAIL``), and looks in the
database (on a connection of its own) when one is handed over (the final ``.`` of
``DATA``)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection
from django.utils import timezone

from laurel.accounts.models import User
from laurel.notifications.tests.mailserver import Inbox, free_port
from laurel.notifications.tests.test_worker_killed import backlog_of_award_emails
from laurel.outbox import worker
from laurel.outbox.models import Message
from laurel.outbox.worker import run_batch

EMAILS = 30
# Each record takes at least this long, so that an email handed over before the record
# of the one before was committed would be seen.
SLOW_RECORD_SECONDS = 0.1


class WatchingInbox(Inbox):
    """Keeps what it accepted, when each email began (``MAIL``), and the emails handed
    over while an email accepted before them was not marked done."""

    def __init__(self, user_ids: dict[str, int]) -> None:
        super().__init__()
        self.user_ids = user_ids
        self.begun_at: list[float] = []
        self.handed_over_before_marked: list[str] = []

    def _unmarked(self) -> bool:
        with self.lock:
            before = [self.user_ids[address] for address in self.recipients]
        try:
            return Message.objects.filter(recipient_id__in=before).exclude(status="done").exists()
        finally:
            connection.close()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.begun_at.append(time.monotonic())
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if await sync_to_async(self._unmarked, thread_sensitive=False)():
            self.handed_over_before_marked.extend(envelope.rcpt_tos)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def watched_backlog(settings):
    """``(inbox, addresses)``: EMAILS award emails queued, and a watching SMTP server on
    loopback that this process sends to."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    addresses = backlog_of_award_emails(EMAILS)
    user_ids = dict(User.objects.filter(email__in=addresses).values_list("email", "pk"))
    inbox = WatchingInbox(user_ids)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox, addresses
    controller.stop()


def slow_records(
    monkeypatch: pytest.MonkeyPatch, *, fail_first: bool = False
) -> list[tuple[str, float]]:
    """Make every record take SLOW_RECORD_SECONDS (and the first fail, if asked); returns
    the thread that made each record, and when it was committed."""
    real = worker.attempt_record
    records: list[tuple[str, float]] = []

    def record(**attempt: Any) -> str | None:
        time.sleep(SLOW_RECORD_SECONDS)
        if fail_first and not records:
            records.append((threading.current_thread().name, time.monotonic()))
            raise OperationalError("disk I/O error")
        status = real(**attempt)
        records.append((threading.current_thread().name, time.monotonic()))
        return status

    monkeypatch.setattr(worker, "attempt_record", record)
    return records


@pytest.mark.django_db(transaction=True)
def test_each_email_is_begun_while_the_one_before_is_recorded_and_handed_over_after(
    watched_backlog, monkeypatch
):
    inbox, addresses = watched_backlog
    records = slow_records(monkeypatch)

    while run_batch(worker_id="w", limit=10):
        pass

    assert sorted(inbox.recipients) == sorted(addresses), "every email sent once"
    assert inbox.handed_over_before_marked == [], "no email taken before the one before was marked"
    # The overlap is real: within a batch, every email after the first was begun before
    # the record of the one before it was committed, by the worker's recording thread.
    assert len(records) == len(inbox.begun_at) == EMAILS
    begun_early = [n for n in range(1, EMAILS) if inbox.begun_at[n] < records[n - 1][1]]
    assert begun_early == [n for n in range(1, EMAILS) if n % 10], begun_early
    assert {name.split("_")[0] for name, _ in records} == {"outbox-record"}
    assert Message.objects.filter(status="done").count() == EMAILS


@pytest.mark.django_db(transaction=True)
def test_an_email_is_not_handed_over_when_the_one_before_could_not_be_recorded(
    watched_backlog, monkeypatch
):
    inbox, addresses = watched_backlog
    slow_records(monkeypatch, fail_first=True)

    with pytest.raises(OperationalError, match="disk I/O error"):
        run_batch(worker_id="w", limit=10)

    # The first email was taken and its record failed; the second was begun, and dropped
    # before the server took it.
    assert inbox.count() == 1
    first = inbox.recipients[0]
    assert Message.objects.filter(status="running").count() == 10
    monkeypatch.undo()

    # Once the leases end, another worker sends everything that was not marked: the first
    # email again (the one window for a duplicate), and the others once.
    later = timezone.now() + timedelta(hours=1)
    while run_batch(worker_id="w2", now=later):
        pass
    assert sorted(set(inbox.recipients)) == sorted(addresses)
    twice = [address for address in addresses if inbox.recipients.count(address) > 1]
    assert twice == [first]
    assert Message.objects.filter(status="done").count() == EMAILS
