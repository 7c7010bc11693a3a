from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.notifications.tasks import send_award_email
from laurel.outbox.models import Message
from laurel.outbox.worker import run_batch


def awards_for_a_pair():
    """A mentor and mentee who have each just earned a one-session certificate."""
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    make_certificate(program, threshold=1, enabled=True)
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    awards = list(IssuedCertificate.objects.order_by("pk"))
    assert {award.user_id for award in awards} == {mentor.user_id, mentee.user_id}
    return awards


def email_of(award: IssuedCertificate) -> Message:
    """The outbox message that sends ``award``'s email."""
    return Message.objects.get(
        kind=send_award_email.module_path, arguments__kwargs__award_id=award.pk
    )


def unsent(awards) -> list[IssuedCertificate]:
    return [award for award in awards if email_of(award).status != Message.Status.DONE]


@pytest.mark.django_db
def test_award_email_is_sent_once_even_when_the_worker_runs_twice(run_tasks, mailoutbox):
    awards = awards_for_a_pair()

    assert run_tasks() == 2
    assert run_tasks() == 0

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        award.user.email for award in awards
    )
    assert all(f"/c/{award.public_id}" in mailoutbox[i].body for i, award in enumerate(awards))
    assert not unsent(awards)


@pytest.mark.django_db(transaction=True)
def test_award_email_is_sent_once_when_two_workers_run_at_once(mailoutbox):
    awards = awards_for_a_pair()
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def run(worker_id: str) -> None:
        try:
            barrier.wait()
            sent.append(run_batch(worker_id=worker_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sent) in ([0, 2], [1, 1])
    assert len(mailoutbox) == 2
    assert len({message.to[0] for message in mailoutbox}) == 2
    assert not unsent(awards)


@pytest.mark.django_db
def test_an_email_claimed_by_a_worker_that_died_is_sent_after_the_lease(
    run_tasks, mailoutbox, settings
):
    awards = awards_for_a_pair()
    stale = timezone.now() - timedelta(seconds=1)
    fresh = timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    Message.objects.filter(pk=email_of(awards[0]).pk).update(
        status="running", worker_id="worker-that-died", lease_until=stale
    )
    Message.objects.filter(pk=email_of(awards[1]).pk).update(
        status="running", worker_id="worker-still-sending", lease_until=fresh
    )

    run_tasks()

    assert [message.to[0] for message in mailoutbox] == [awards[0].user.email]
    assert unsent(awards) == [awards[1]]


@pytest.mark.django_db
def test_a_failed_send_leaves_the_email_to_a_retry(run_tasks, mailoutbox, settings):
    awards = awards_for_a_pair()
    settings.EMAIL_BACKEND = "laurel.notifications.tests.test_tasks.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        send_award_email.call(award_id=awards[0].pk)

    run_tasks()

    message = email_of(awards[0])
    assert (message.status, message.attempts, message.lease_until) == ("pending", 1, None)
    assert "mail server down" in message.last_error
    assert mailoutbox == []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db
def test_award_email_is_not_lost_when_the_award_is_corrected_before_it_is_sent(
    run_tasks, mailoutbox
):
    from laurel.certificates.services import award_correct

    first, second = awards_for_a_pair()
    corrected = award_correct(
        award=first, by=None, recipient_name="Dr. Corrected Name", reason="The name was misspelt"
    )

    run_tasks()

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [first.user.email, second.user.email]
    )
    assert email_of(first).tries.get().detail == {"sent_award_id": corrected.pk}
    assert Message.objects.filter(kind=send_award_email.module_path).count() == 2


class UnavailableMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.mark.django_db
def test_award_email_that_could_not_be_sent_goes_out_on_a_retry(run_tasks, settings, mailoutbox):
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    make_certificate(program, threshold=1, enabled=True)
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    settings.EMAIL_BACKEND = f"{__name__}.UnavailableMailServer"

    run_tasks()

    assert mailoutbox == []
    assert Message.objects.filter(status="pending", attempts=1).count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_tasks(now=timezone.now() + timedelta(seconds=30))
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [mentor.user.email, mentee.user.email]
    )
    assert set(Message.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db
def test_with_the_file_backend_of_make_run_each_email_is_a_file(run_tasks, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    awards = awards_for_a_pair()

    run_tasks()

    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 2
    texts = [file.read_text() for file in files]
    for award in awards:
        assert sum(f"To: {award.user.email}" in text for text in texts) == 1
    assert all("List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text for text in texts)
