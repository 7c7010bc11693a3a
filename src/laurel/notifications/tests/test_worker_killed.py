"""A worker killed while it sends a backlog of award emails: another worker sends the rest."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from laurel.accounts.models import User
from laurel.certificates.factories import make_certificate, make_program
from laurel.certificates.services import certificate_award, progress_rebuild
from laurel.notifications.tests.mailserver import start_worker, wait_for
from laurel.outbox.models import Message
from laurel.programs.models import Participant

BACKLOG = 2000
TAKEOVER_LIMIT_SECONDS = 90


def backlog_of_award_emails(count: int) -> set[str]:
    """``count`` people awarded a certificate at once: one award email each, queued."""
    program = make_program()
    # Written in bulk: the people are the setting here, not what is tested.
    users = User.objects.bulk_create(
        [User(email=f"backlog{n}@example.org", name=f"Person {n}") for n in range(count)]
    )
    people = Participant.objects.bulk_create(
        [Participant(program=program, user=user, role="mentee") for user in users]
    )
    progress_rebuild(program=program)
    definition = make_certificate(program, threshold=None, enabled=True)
    certificate_award(definition=definition, by=None, participant_ids=[p.pk for p in people])
    assert Message.objects.filter(status="pending").count() == count
    return {user.email for user in users}


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_emails_are_sent_by_another_worker_once(smtp_server):
    inbox, smtp_port = smtp_server
    addresses = backlog_of_award_emails(BACKLOG)
    started = time.monotonic()
    doomed = start_worker("doomed", smtp_port)
    survivor = start_worker("survivor", smtp_port)
    try:
        wait_for(lambda: inbox.count() >= BACKLOG // 5, timeout=60)
        wait_for(
            lambda: Message.objects.filter(worker_id="doomed", status="running").exists(),
            timeout=10, every=0.001,
        )  # fmt: skip
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        held = set(
            Message.objects.filter(worker_id="doomed", status="running").values_list(
                "pk", flat=True
            )
        )
        assert held, "the worker was killed holding messages"

        takeover = wait_for(
            lambda: not Message.objects.filter(pk__in=held).exclude(status="done").exists(),
            timeout=TAKEOVER_LIMIT_SECONDS,
        )
        wait_for(
            lambda: not Message.objects.exclude(status="done").exists(),
            timeout=TAKEOVER_LIMIT_SECONDS,
            every=0.2,
        )
    finally:
        for process in (doomed, survivor):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (doomed, survivor):
            process.wait(timeout=30)

    print(
        f"\n{BACKLOG} emails sent by two workers in {time.monotonic() - started:.1f} s; the"
        f" {len(held)} messages the killed worker held were done {takeover:.1f} s after the kill"
    )
    assert takeover < TAKEOVER_LIMIT_SECONDS
    sent = Counter(inbox.recipients)
    assert set(sent) == addresses, "every email was sent"
    twice = [address for address, times in sent.items() if times > 1]
    # Only the email in flight at the kill may have gone out twice: the mail server had
    # accepted it, but the worker died before marking its message done.
    assert len(twice) <= 1
    assert max(sent.values()) <= 2
    taken_over = 0
    for message in Message.objects.filter(pk__in=held):
        tries = list(message.tries.all())
        assert tries[-1].succeeded
        if len(tries) == 1:
            # Its worker's last commit reached the database as the worker died.
            assert tries[0].worker_id == "doomed"
        else:
            assert (tries[0].worker_id, tries[0].succeeded) == ("doomed", False)
            assert tries[-1].worker_id == "survivor"
            taken_over += 1
    assert taken_over, "the surviving worker took over the dead one's messages"
