from __future__ import annotations

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
from laurel.notifications.tasks import send_award_notifications


def awards_for_a_pair():
    """A mentor and mentee who have each just earned a one-session certificate."""
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    make_certificate(program, threshold=1, enabled=True)
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    awards = list(IssuedCertificate.objects.order_by("pk"))
    assert {award.user_id for award in awards} == {mentor.user_id, mentee.user_id}
    return awards


@pytest.mark.django_db
def test_award_email_is_sent_once_even_when_the_task_runs_twice(run_tasks, mailoutbox):
    awards = awards_for_a_pair()

    assert run_tasks() == 1
    send_award_notifications.enqueue(award_ids=[award.pk for award in awards])
    assert run_tasks() == 1

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        award.user.email for award in awards
    )
    assert all(f"/c/{award.public_id}" in mailoutbox[i].body for i, award in enumerate(awards))
    assert not IssuedCertificate.objects.filter(notified_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_award_email_is_sent_once_when_two_workers_run_the_task_at_once(mailoutbox):
    award_ids = [award.pk for award in awards_for_a_pair()]
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            sent.append(send_award_notifications.call(award_ids=award_ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sent) in ([0, 2], [1, 1])
    assert len(mailoutbox) == 2
    assert len({message.to[0] for message in mailoutbox}) == 2


@pytest.mark.django_db
def test_an_email_claimed_by_a_worker_that_died_is_sent_after_the_lease(
    run_tasks, mailoutbox, settings
):
    awards = awards_for_a_pair()
    stale = timezone.now() - timedelta(seconds=settings.TASK_LEASE_SECONDS + 1)
    IssuedCertificate.objects.filter(pk=awards[0].pk).update(notification_claimed_at=stale)
    IssuedCertificate.objects.filter(pk=awards[1].pk).update(notification_claimed_at=timezone.now())

    run_tasks()

    assert [message.to[0] for message in mailoutbox] == [awards[0].user.email]
    assert IssuedCertificate.objects.get(pk=awards[1].pk).notified_at is None


@pytest.mark.django_db
def test_a_failed_send_releases_the_claim(mailoutbox, settings):
    awards = awards_for_a_pair()
    settings.EMAIL_BACKEND = "laurel.notifications.tests.test_tasks.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        send_award_notifications.call(award_ids=[awards[0].pk])
    award = IssuedCertificate.objects.get(pk=awards[0].pk)
    assert (award.notification_claimed_at, award.notified_at) == (None, None)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db
def test_award_email_is_not_lost_when_the_award_is_corrected_before_it_is_sent(
    run_tasks, mailoutbox
):
    from laurel.certificates.services import award_reissue

    first, second = awards_for_a_pair()
    corrected = award_reissue(award=first, by=None, recipient_name="Dr. Corrected Name")

    run_tasks()

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [first.user.email, second.user.email]
    )
    assert IssuedCertificate.objects.get(pk=corrected.pk).notified_at is not None
