"""Award emails sent by worker processes to a real SMTP server: a worker killed while it
sends a backlog (another worker, running beside it or started after, sends the rest), and
two workers sharing one backlog."""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from laurel.accounts.models import User
from laurel.certificates.factories import make_certificate, make_program
from laurel.certificates.services import certificate_award, certificate_enable, progress_rebuild
from laurel.notifications.tests.mailserver import start_worker, wait_for
from laurel.outbox.models import Message
from laurel.programs.models import Feedback, Pairing, PairingMember, Participant, Session

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


def qualified_people(count: int):
    """A program whose ``count`` participants each have one session that counts, and a
    disabled automatic certificate for one session. Returns the program, its certificate
    and everyone's email address."""
    program = make_program()
    # Written in bulk: the people are the setting here, not what is tested.
    users = User.objects.bulk_create(
        [User(email=f"enabled{n}@example.org", name=f"Person {n}") for n in range(count)]
    )
    people = Participant.objects.bulk_create(
        [
            Participant(program=program, user=user, role="mentor" if n % 2 else "mentee")
            for n, user in enumerate(users)
        ]
    )
    pairings = Pairing.objects.bulk_create([Pairing(program=program) for _ in range(count // 2)])
    PairingMember.objects.bulk_create(
        [
            PairingMember(pairing=pairing, participant=person, user_id=person.user_id)
            for n, pairing in enumerate(pairings)
            for person in people[2 * n : 2 * n + 2]
        ]
    )
    start = timezone.now() - timedelta(days=3)
    sessions = Session.objects.bulk_create(
        [
            Session(
                pairing=pairing, starts_at=start, duration_minutes=60,
                ends_at=start + timedelta(hours=1), status="completed",
                completed_at=start + timedelta(hours=1), first_feedback_at=start + timedelta(hours=2),
            )
            for pairing in pairings
        ]
    )  # fmt: skip
    Feedback.objects.bulk_create(
        [
            Feedback(session=session, author=people[2 * n], rating=4, created_at=start)
            for n, session in enumerate(sessions)
        ]
    )
    progress_rebuild(program=program)
    return program, make_certificate(program, threshold=1), {user.email for user in users}


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_an_enables_emails_is_finished_by_a_new_one(smtp_server):
    inbox, smtp_port = smtp_server
    _, certificate, addresses = qualified_people(200)
    assert certificate_enable(definition=certificate, by=None, confirm=True).awarded == 200
    assert Message.objects.filter(status="pending").count() == 200

    doomed = start_worker("doomed", smtp_port)
    successor = None
    try:
        wait_for(lambda: inbox.count() >= 30, timeout=60)
        wait_for(
            lambda: Message.objects.filter(worker_id="doomed", status="running").exists(),
            timeout=10, every=0.001,
        )  # fmt: skip
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        sent_before_the_kill = inbox.count()
        held = set(
            Message.objects.filter(worker_id="doomed", status="running").values_list(
                "recipient_id", flat=True
            )
        )
        assert sent_before_the_kill < 200, "killed mid-send"
        successor = start_worker("successor", smtp_port)
        wait_for(lambda: not Message.objects.exclude(status="done").exists(), timeout=90)
    finally:
        for process in (doomed, successor):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)

    sent = Counter(inbox.recipients)
    assert set(sent) == addresses, "every one of the 200 has an email"
    twice = [address for address, times in sent.items() if times > 1]
    # The one window when a worker dies (README, "Background work"): the mail server
    # accepted the email the worker was sending, and the worker died before marking its
    # message done. Only a message the killed worker held can be sent twice, and at most
    # one of them: every mark is committed before the next email goes, whether or not its
    # commit waits for the disk (a crash of the database server itself, which these tests
    # do not reach, is the other window).
    assert len(twice) <= 1
    held_addresses = set(User.objects.filter(pk__in=held).values_list("email", flat=True))
    assert set(twice) <= held_addresses
    assert max(sent.values()) <= 2
    assert Message.objects.filter(tries__worker_id="successor").exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_a_thousand_emails_and_send_each_once(smtp_server):
    inbox, smtp_port = smtp_server
    _, certificate, addresses = qualified_people(1000)
    certificate_enable(definition=certificate, by=None, confirm=True)

    workers = [start_worker(f"worker-{n}", smtp_port) for n in range(2)]
    try:
        wait_for(lambda: not Message.objects.exclude(status="done").exists(), timeout=180)
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(timeout=30)

    sent = Counter(inbox.recipients)
    assert set(sent) == addresses
    assert max(sent.values()) == 1, "no email sent twice"
    assert len(inbox.recipients) == 1000
    by_worker = Counter(
        Message.objects.filter(status="done").values_list("tries__worker_id", flat=True)
    )
    assert set(by_worker) == {"worker-0", "worker-1"}, "both workers sent emails"
    assert sum(by_worker.values()) == 1000, "one attempt each"
