"""Retries, backoff, lost workers and the attempts kept: one policy for every message."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from laurel.outbox.backend import enqueue_linked, enqueue_many
from laurel.outbox.models import Attempt, Message
from laurel.outbox.services import retry_delay
from laurel.outbox.tests.tasks import flaky, note, refused, runs

pytestmark = pytest.mark.django_db


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_enqueue_writes_one_message_in_the_callers_transaction():
    enqueued = flaky.enqueue(key="a", failures=0)

    message = Message.objects.get(pk=int(enqueued.id))
    assert message.kind == "laurel.outbox.tests.tasks.flaky"
    assert message.arguments == {"args": [], "kwargs": {"key": "a", "failures": 0}}
    assert (message.status, message.attempts) == ("pending", 0)
    assert flaky.get_result(enqueued.id).status == "READY"

    def enqueue_then_roll_back() -> None:
        with transaction.atomic():
            flaky.enqueue(key="b", failures=0)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        enqueue_then_roll_back()
    assert Message.objects.count() == 1


def test_enqueue_many_writes_one_message_each_with_the_organisation(run_tasks):
    note.enqueue(entry="alone")
    assert enqueue_many(note, [{"entry": str(n)} for n in range(5)], organisation_id=7) == 5

    stored = Message.objects.order_by("pk")
    assert [m.arguments for m in stored][1:] == [
        {"args": [], "kwargs": {"entry": str(n)}} for n in range(5)
    ]
    assert [m.organisation_id for m in stored] == [None, 7, 7, 7, 7, 7]
    assert {(m.status, m.attempts, m.worker_id, m.last_error) for m in stored} == {
        ("pending", 0, "", "")
    }
    assert len({m.run_after for m in stored[1:]}) == 1
    assert run_tasks() == 6


def test_enqueue_linked_returns_the_messages_with_their_ids():
    messages = enqueue_linked(note, [{"entry": "a"}, {"entry": "b"}], organisation_id=3)

    assert [Message.objects.get(pk=m.pk).arguments["kwargs"]["entry"] for m in messages] == [
        "a",
        "b",
    ]


def test_failed_message_is_retried_with_backoff_and_succeeds_on_a_later_attempt(run_tasks):
    enqueued = flaky.enqueue(key=str(uuid.uuid4()), failures=2)
    message = Message.objects.get(pk=int(enqueued.id))

    assert run_tasks() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    [first] = message.tries.all()
    assert first.error.startswith("ConnectionError: run 1")
    assert "Traceback" in first.detail["traceback"]
    assert message.run_after - first.finished_at == timedelta(seconds=30)

    assert run_tasks() == 0, "the retry waits for its backoff"
    assert run_tasks(now=later(30)) == 1
    message.refresh_from_db()
    second = message.tries.get(number=2)
    assert message.run_after - second.finished_at == timedelta(seconds=60)

    assert run_tasks(now=later(30 + 60)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("done", 3, "")
    assert [a.succeeded for a in message.tries.all()] == [False, False, True]
    assert message.tries.get(number=3).detail == {"succeeded_on_run": 3}
    assert flaky.get_result(enqueued.id).status == "SUCCESSFUL"
    assert Message.objects.count() == 1


def test_message_that_always_fails_stops_after_the_last_attempt(run_tasks, settings, caplog):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    enqueued = flaky.enqueue(key=str(uuid.uuid4()), failures=100)

    with caplog.at_level(logging.ERROR, logger="laurel.outbox"):
        for hours in range(10):
            run_tasks(now=later(3600 * hours))

    message = Message.objects.get(pk=int(enqueued.id))
    assert (message.status, message.attempts) == ("failed", 3)
    assert message.last_error.startswith("ConnectionError: run 3")
    assert [a.number for a in message.tries.all()] == [1, 2, 3]
    assert any("attempt 3 of 3; giving up" in r.getMessage() for r in caplog.records)


def test_a_failure_that_retrying_cannot_help_fails_at_once(run_tasks):
    key = str(uuid.uuid4())
    enqueued = refused.enqueue(key=key)

    run_tasks()
    run_tasks(now=later(3600))

    message = Message.objects.get(pk=int(enqueued.id))
    assert (message.status, message.attempts, runs[key]) == ("failed", 1, 1)
    assert message.tries.get().detail == {"status_code": 410}


def test_backoff_doubles_up_to_the_cap(settings):
    settings.OUTBOX_RETRY_DELAY_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_DELAY_SECONDS = 3600

    delays = [retry_delay(attempts=attempts).total_seconds() for attempts in range(1, 9)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600]


def test_a_message_that_raises_does_not_stop_the_others_in_its_batch(run_tasks):
    note.enqueue(entry="before")
    flaky.enqueue(key=str(uuid.uuid4()), failures=1)
    note.enqueue(entry="after")

    assert run_tasks() == 3

    assert sorted(Message.objects.values_list("status", flat=True)) == ["done", "done", "pending"]


def claimed_by_a_worker_that_died(message_id: int, *, seconds_ago: float) -> None:
    Message.objects.filter(pk=message_id).update(
        status="running", worker_id="worker-that-died", lease_until=later(-seconds_ago)
    )


def test_message_whose_lease_ran_out_runs_again_and_the_lost_attempt_is_kept(run_tasks):
    lost = flaky.enqueue(key=str(uuid.uuid4()), failures=0)
    claimed_by_a_worker_that_died(int(lost.id), seconds_ago=1)
    still_held = flaky.enqueue(key=str(uuid.uuid4()), failures=0)
    claimed_by_a_worker_that_died(int(still_held.id), seconds_ago=-20)  # lease still running

    assert run_tasks() == 1

    message = Message.objects.get(pk=int(lost.id))
    assert (message.status, message.attempts) == ("done", 2)
    died, ran = message.tries.all()
    assert (died.succeeded, died.worker_id) == (False, "worker-that-died")
    assert "stopped before finishing" in died.error
    assert (ran.succeeded, ran.worker_id) == (True, "test-worker")
    assert Message.objects.get(pk=int(still_held.id)).status == "running"


def test_a_message_that_keeps_losing_its_worker_is_given_up(run_tasks, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    enqueued = flaky.enqueue(key=str(uuid.uuid4()), failures=0)
    Message.objects.filter(pk=int(enqueued.id)).update(attempts=1)
    Attempt.objects.create(
        message_id=int(enqueued.id), number=1, finished_at=timezone.now(), succeeded=False
    )
    claimed_by_a_worker_that_died(int(enqueued.id), seconds_ago=1)

    assert run_tasks() == 0

    message = Message.objects.get(pk=int(enqueued.id))
    assert (message.status, message.attempts) == ("failed", 2)
