"""Retries, recovery and periodic sweeps for background tasks.

django-tasks-db marks a task that raised as failed and forgets a task whose worker died
while running it. Here a failure is recorded in the same transaction as the task's next
attempt (a new row, due after an exponential backoff), and a task left running past its
lease is treated as a failure of that attempt. Either way the tasks run again, so every
task must be safe to run twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from laurel.api.services import idempotency_records_prune
from laurel.jobs.models import TaskRetry
from laurel.programs.services import sessions_complete_elapsed
from laurel.webhooks.services import webhook_deliveries_resume

logger = logging.getLogger(__name__)

TaskResultRow = DBTaskResult[..., Any]

# Any fixed number will do, as long as nothing else in the database uses it.
SWEEP_LOCK_KEY = 7_316_211
RECOVERY_BATCH = 100


class WorkerLost(Exception):
    """The worker running the task stopped (or stalled) before finishing it."""


def retry_delay(*, attempt: int) -> timedelta:
    """How long to wait before ``attempt`` (2, 3, ...): the base delay, doubled each time,
    capped."""
    seconds = settings.TASK_RETRY_DELAY_SECONDS * 2 ** max(attempt - 2, 0)
    return timedelta(seconds=min(seconds, settings.TASK_RETRY_MAX_DELAY_SECONDS))


def task_attempt(*, result: TaskResultRow) -> int:
    """Which attempt this task result is: 1 unless it is a retry."""
    attempt = TaskRetry.objects.filter(result_id=result.pk).values_list("attempt", flat=True)
    return attempt.first() or 1


@dataclass(frozen=True)
class FailureRecorded:
    attempt: int
    next_attempt: TaskResultRow | None  # None: that was the last attempt


def task_fail(
    *, result: TaskResultRow, error: BaseException, now: datetime | None = None
) -> FailureRecorded | None:
    """Mark a running task failed and, unless it has used all its attempts, enqueue the
    next attempt. Returns None if the task was no longer running.

    Only a task still running is changed: when a worker's late failure and the recovery
    of its lost task meet, the second to arrive finds the task failed already and does
    nothing, so the task is retried once.
    """
    now = now or timezone.now()
    exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
    traceback = "".join(format_exception(error))
    result.status, result.finished_at, result.return_value = TaskResultStatus.FAILED, now, None
    result.exception_class_path, result.traceback = exception_class_path, traceback
    with transaction.atomic():
        failed = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=exception_class_path,
            traceback=traceback,
        )
        if not failed:
            return None
        attempt = task_attempt(result=result)
        if attempt >= settings.TASK_MAX_ATTEMPTS:
            logger.error(
                "Task %s (%s) failed on attempt %s of %s; giving up. Last error: %s",
                result.pk, result.task_path, attempt, settings.TASK_MAX_ATTEMPTS,
                exception_class_path,
            )  # fmt: skip
            return FailureRecorded(attempt=attempt, next_attempt=None)
        delay = retry_delay(attempt=attempt + 1)
        next_attempt = DBTaskResult.objects.create(
            task_path=result.task_path,
            args_kwargs=result.args_kwargs,
            priority=result.priority,
            queue_name=result.queue_name,
            backend_name=result.backend_name,
            run_after=now + delay,
            exception_class_path="",
            traceback="",
        )
        TaskRetry.objects.create(result=next_attempt, retry_of_id=result.pk, attempt=attempt + 1)
    logger.warning(
        "Task %s (%s) failed on attempt %s of %s; attempt %s is task %s, due in %s s.",
        result.pk, result.task_path, attempt, settings.TASK_MAX_ATTEMPTS, attempt + 1,
        next_attempt.pk, int(delay.total_seconds()),
    )  # fmt: skip
    return FailureRecorded(attempt=attempt, next_attempt=next_attempt)


def tasks_recover_stale(*, now: datetime | None = None) -> int:
    """Fail, and so retry, every task that has been running longer than its lease: its
    worker died or lost its connection. Returns how many were recovered."""
    now = now or timezone.now()
    lease_ended = now - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=lease_ended
    ).order_by("started_at")
    recovered = 0
    # Each task handled leaves RUNNING (here or in a concurrent sweep), so this ends.
    while batch := list(stale[:RECOVERY_BATCH]):
        for result in batch:
            lost = WorkerLost(
                f"Still running after the lease of {settings.TASK_LEASE_SECONDS} s"
                f" (worker {(result.worker_ids or ['unknown'])[-1]})."
            )
            if task_fail(result=result, error=lost, now=now) is not None:
                recovered += 1
    return recovered


@contextmanager
def _sweep_lock() -> Iterator[bool]:
    """Let one worker at a time sweep: the others skip their turn rather than queue behind
    it and repeat the same work. SQLite runs one writer at a time anyway."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK_KEY])
        row = cursor.fetchone()
    locked = bool(row and row[0])
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])


@dataclass(frozen=True)
class SweepResult:
    swept: bool
    tasks_recovered: int = 0
    sessions_completed: int = 0
    webhook_deliveries_resumed: int = 0
    idempotency_records_pruned: int = 0


def sweep_run(*, now: datetime | None = None) -> SweepResult:
    """The periodic work: recover tasks whose worker died, complete the sessions whose
    booked time has passed (which awards what they earned), queue again webhook
    deliveries that are due, and forget old idempotency records.

    Safe to run from several workers at once: both steps change only rows still in the
    state they read (conditional updates), and on PostgreSQL a lock held for the sweep
    makes the other workers skip it.
    """
    now = now or timezone.now()
    with _sweep_lock() as locked:
        if not locked:
            return SweepResult(swept=False)
        return SweepResult(
            swept=True,
            tasks_recovered=tasks_recover_stale(now=now),
            sessions_completed=sessions_complete_elapsed(now=now),
            webhook_deliveries_resumed=webhook_deliveries_resume(now=now),
            idempotency_records_pruned=idempotency_records_prune(now=now),
        )
