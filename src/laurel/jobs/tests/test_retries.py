from __future__ import annotations

import logging
import smtplib
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.jobs.models import TaskRetry
from laurel.jobs.services import retry_delay, sweep_run, task_attempt

pytestmark = pytest.mark.django_db

runs: Counter[str] = Counter()


@task()
def flaky(*, key: str, failures: int) -> str:
    """Fails ``failures`` times, then succeeds."""
    runs[key] += 1
    if runs[key] <= failures:
        raise ConnectionError(f"run {runs[key]} of {key} failed")
    return f"succeeded on run {runs[key]}"


class UnavailableMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def attempts_of(first_id: str) -> list[DBTaskResult]:
    """The task result ``first_id`` and each retry after it, in order."""
    chain = [DBTaskResult.objects.get(pk=first_id)]
    while (retry := TaskRetry.objects.filter(retry_of=chain[-1]).first()) is not None:
        chain.append(retry.result)
    return chain


def test_failed_task_is_retried_with_backoff_and_succeeds_on_a_later_attempt(
    run_due_tasks, fast_forward
):
    enqueued = flaky.enqueue(key=str(uuid.uuid4()), failures=2)

    assert run_due_tasks() == 1
    first, second = attempts_of(enqueued.id)
    assert first.status == "FAILED"
    assert first.exception_class_path == "builtins.ConnectionError"
    assert second.status == "READY"
    assert task_attempt(result=second) == 2
    assert second.run_after - first.finished_at == timedelta(seconds=30)
    assert second.args_kwargs == first.args_kwargs

    assert run_due_tasks() == 0, "the retry waits for its backoff"
    fast_forward(30)
    assert run_due_tasks() == 1
    _, second, third = attempts_of(enqueued.id)
    assert second.status == "FAILED"
    assert task_attempt(result=third) == 3
    assert third.run_after - second.finished_at == timedelta(seconds=60)

    fast_forward(60)
    assert run_due_tasks() == 1
    chain = attempts_of(enqueued.id)
    assert [result.status for result in chain] == ["FAILED", "FAILED", "SUCCESSFUL"]
    assert chain[-1].return_value == "succeeded on run 3"
    assert DBTaskResult.objects.count() == 3


def test_task_that_always_fails_stops_after_the_last_attempt(
    run_due_tasks, fast_forward, settings, caplog
):
    settings.TASK_MAX_ATTEMPTS = 3
    enqueued = flaky.enqueue(key=str(uuid.uuid4()), failures=100)

    with caplog.at_level(logging.ERROR, logger="laurel.jobs"):
        for _ in range(10):
            run_due_tasks()
            fast_forward(3600)

    chain = attempts_of(enqueued.id)
    assert [result.status for result in chain] == ["FAILED", "FAILED", "FAILED"]
    assert [task_attempt(result=result) for result in chain] == [1, 2, 3]
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert any("failed on attempt 3 of 3; giving up" in r.getMessage() for r in caplog.records)


def test_backoff_doubles_up_to_the_cap(settings):
    settings.TASK_RETRY_DELAY_SECONDS = 30
    settings.TASK_RETRY_MAX_DELAY_SECONDS = 3600

    delays = [retry_delay(attempt=attempt).total_seconds() for attempt in range(2, 10)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600]


def claimed_by_a_worker_that_died(enqueued_id: str, *, minutes_ago: float) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=enqueued_id)
    result.claim("worker-that-died")
    result.started_at = timezone.now() - timedelta(minutes=minutes_ago)
    result.save(update_fields=["started_at"])
    return result


def test_task_left_running_past_its_lease_runs_again(run_due_tasks, fast_forward, settings):
    settings.TASK_LEASE_SECONDS = 15 * 60
    lost = flaky.enqueue(key=str(uuid.uuid4()), failures=0)
    claimed_by_a_worker_that_died(lost.id, minutes_ago=16)
    still_running = flaky.enqueue(key=str(uuid.uuid4()), failures=0)
    claimed_by_a_worker_that_died(still_running.id, minutes_ago=14)

    assert sweep_run().tasks_recovered == 1

    first, retry = attempts_of(lost.id)
    assert first.status == "FAILED"
    assert first.exception_class_path == "laurel.jobs.services.WorkerLost"
    assert "worker-that-died" in first.traceback
    assert DBTaskResult.objects.get(pk=still_running.id).status == "RUNNING"
    fast_forward(30)
    assert run_due_tasks() == 1
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"


def test_lost_task_is_retried_once_when_its_worker_fails_it_late(worker):
    enqueued = flaky.enqueue(key=str(uuid.uuid4()), failures=1)
    slow = claimed_by_a_worker_that_died(enqueued.id, minutes_ago=60)

    assert sweep_run().tasks_recovered == 1
    assert sweep_run().tasks_recovered == 0
    # The worker was only slow: it now finishes its run, which fails.
    worker.run_task(slow)

    assert len(attempts_of(enqueued.id)) == 2
    assert DBTaskResult.objects.count() == 2


def test_award_email_that_could_not_be_sent_goes_out_on_a_retry(
    run_due_tasks, fast_forward, settings, mailoutbox
):
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    make_certificate(program, threshold=1, enabled=True)
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    settings.EMAIL_BACKEND = f"{__name__}.UnavailableMailServer"

    run_due_tasks()

    assert mailoutbox == []
    assert IssuedCertificate.objects.filter(notified_at__isnull=True).count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    fast_forward(30)
    run_due_tasks()
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [mentor.user.email, mentee.user.email]
    )
    assert not IssuedCertificate.objects.filter(notified_at__isnull=True).exists()
