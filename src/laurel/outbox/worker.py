"""The worker: claims a few due messages, runs each one's task, records the attempt.

``run_batch`` is one turn of the loop; tests run exactly it. ``Worker`` adds what a
long-running process needs: a heartbeat that keeps the leases of its messages alive, the
periodic jobs (checked between messages, so a backlog never holds them up), a clean stop
on SIGTERM, and patience with a database that is locked or briefly unreachable.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from laurel.outbox.batches import PREPARED_FRESH_SECONDS, Prepared, batch_prepare
from laurel.outbox.models import Message
from laurel.outbox.periodic import periodic_jobs_run_due, periodic_next_due
from laurel.outbox.services import (
    Outcome,
    TaskMissing,
    attempt_record,
    leases_renew,
    message_start,
    messages_claim,
    messages_release,
)

logger = logging.getLogger(__name__)

LONGEST_DATABASE_WAIT_SECONDS = 30.0


def worker_id_new() -> str:
    return f"{socket.gethostname()[:60]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _task_of(message: Message) -> Task[Any, Any]:
    try:
        found = import_string(message.kind)
    except ImportError as error:
        raise TaskMissing(f"No task {message.kind}: {error}") from None
    if not isinstance(found, Task):
        raise TaskMissing(f"{message.kind} is not a task")
    return found


def message_run(
    message: Message,
    *,
    worker_id: str,
    now: datetime | None = None,
    prepared: Prepared | None = None,
    durable: bool = True,
) -> str | None:
    """Run one claimed message's task (or its ``prepared`` work, read with its batch) and
    record the attempt (``durable``: see ``attempt_record``); returns the new status."""
    started_at = now or timezone.now()
    # Inside a caller's transaction (tests) a savepoint keeps one task's database error
    # from spoiling the others; otherwise the task runs in autocommit, so no lock is held
    # while it talks to a mail server or a webhook receiver.
    isolation = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with isolation:
            if prepared is not None:
                returned = prepared()
            else:
                returned = _task_of(message).call(
                    *message.arguments.get("args", []), **message.arguments.get("kwargs", {})
                )
    except Exception as error:
        outcome = Outcome.of_exception(error)
    else:
        detail = returned if isinstance(returned, dict) else {"returned": returned}
        outcome = Outcome(True, detail=detail)
    return attempt_record(
        message=message, worker_id=worker_id, outcome=outcome, started_at=started_at,
        now=now or timezone.now(), durable=durable,
    )  # fmt: skip


class Holding:
    """The ids of the messages a worker has claimed and not yet finished: the leases its
    heartbeat keeps alive. Shared between the worker's thread and the heartbeat's."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._lock = threading.Lock()

    def add(self, ids: list[int]) -> None:
        with self._lock:
            self._ids.update(ids)

    def discard(self, ids: list[int]) -> None:
        with self._lock:
            self._ids.difference_update(ids)

    def ids(self) -> list[int]:
        with self._lock:
            return list(self._ids)


def run_batch(
    *,
    worker_id: str,
    limit: int | None = None,
    now: datetime | None = None,
    between: Callable[[], object] | None = None,
    stopping: Callable[[], bool] = lambda: False,
    holding: Holding | None = None,
) -> int:
    """Claim up to ``limit`` due messages and run them one by one; returns how many ran.

    ``between`` is called before each message (the worker checks its periodic jobs
    there); once ``stopping()`` is true, the messages not yet started are given back.
    ``holding`` tells the heartbeat which leases to renew: only while this batch works on
    them, so that a batch cut short by an error lets its leases run out.
    """
    holding = holding or Holding()
    claimed = messages_claim(
        worker_id=worker_id, limit=limit or settings.OUTBOX_BATCH_SIZE, now=now
    )
    claimed_at = time.monotonic()
    lease_seconds = settings.OUTBOX_LEASE_SECONDS
    holding.add([m.pk for m in claimed])
    ran = 0
    try:
        prepared = batch_prepare(claimed)
        prepared_at = time.monotonic()
        for index, message in enumerate(claimed):
            if between is not None:
                between()
            if stopping():
                unstarted = [m.pk for m in claimed[index:]]
                messages_release(worker_id=worker_id, message_ids=unstarted)
                break
            # Within half a lease of the claim the message is surely still ours; later (a
            # slow batch, a stalled process) make sure before running it.
            late = time.monotonic() - claimed_at > lease_seconds / 2
            if late and not message_start(message=message, worker_id=worker_id, now=now):
                logger.warning("Message %s was taken over before it started", message.pk)
                continue
            # Prepared work that waited too long is done afresh: what an email says is read
            # at most PREPARED_FRESH_SECONDS before it goes.
            fresh = time.monotonic() - prepared_at <= PREPARED_FRESH_SECONDS
            run = prepared.get(message.pk) if fresh else None
            # Every OUTBOX_DURABLE_EVERY-th attempt, and the batch's last, waits for the
            # disk (and takes the ones before with it); the others do not (PostgreSQL).
            every = max(settings.OUTBOX_DURABLE_EVERY, 1)
            durable = (ran + 1) % every == 0 or index == len(claimed) - 1
            message_run(message, worker_id=worker_id, now=now, prepared=run, durable=durable)
            holding.discard([message.pk])
            ran += 1
    finally:
        holding.discard([m.pk for m in claimed])
    return ran


class Heartbeat:
    """Renews the leases of this worker's running messages every third of a lease, from a
    thread of its own, so that a slow task keeps its message and a dead worker's messages
    are free again within one lease."""

    def __init__(self, worker_id: str, holding: Holding) -> None:
        self.worker_id = worker_id
        self.holding = holding
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="outbox-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        interval = max(settings.OUTBOX_LEASE_SECONDS / 3, 0.1)
        try:
            while not self.stopped.wait(interval):
                try:
                    leases_renew(worker_id=self.worker_id, message_ids=self.holding.ids())
                except (OperationalError, InterfaceError):
                    logger.warning("Could not renew the leases of worker %s", self.worker_id)
                    connection.close()
        finally:
            connection.close()


class Worker:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        poll_seconds: float = 1.0,
        batch_size: int | None = None,
        exit_when_idle: bool = False,
    ) -> None:
        self.worker_id = worker_id or worker_id_new()
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
        self.exit_when_idle = exit_when_idle
        self.stop_requested = False
        self.holding = Holding()
        self.periodic_due_at = 0.0  # time.time() of the next job due; 0: look now
        self.ran = 0

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        logger.info("Worker %s stopping after the message it is running", self.worker_id)
        self.stop_requested = True

    def handle_signals(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.request_stop)

    def periodic_if_due(self) -> None:
        # One cheap clock comparison per message; the database is asked only when a job
        # may be due.
        if time.time() < self.periodic_due_at:
            return
        ran = periodic_jobs_run_due()
        if ran:
            logger.info("Periodic jobs: %s", ", ".join(f"{k}: {v}" for k, v in ran.items()))
        next_due = periodic_next_due()
        self.periodic_due_at = (
            next_due.timestamp()
            if next_due is not None
            else time.time() + settings.WORKER_SWEEP_INTERVAL_SECONDS
        )

    def run(self) -> None:
        logger.info(
            "Worker %s started (batches of %s, lease %s s)",
            self.worker_id, self.batch_size, settings.OUTBOX_LEASE_SECONDS,
        )  # fmt: skip
        database_wait = 0.0
        with Heartbeat(self.worker_id, self.holding):
            while not self.stop_requested:
                try:
                    close_old_connections()
                    self.periodic_if_due()
                    ran = run_batch(
                        worker_id=self.worker_id, limit=self.batch_size,
                        between=self.periodic_if_due, stopping=lambda: self.stop_requested,
                        holding=self.holding,
                    )  # fmt: skip
                except (OperationalError, InterfaceError) as error:
                    # A locked or unreachable database: wait, reconnect, go on. Messages
                    # claimed meanwhile are taken over by others once their lease ends.
                    database_wait = min(max(database_wait * 2, 0.5), LONGEST_DATABASE_WAIT_SECONDS)
                    logger.warning(
                        "Database unavailable (%s); trying again in %.1f s", error, database_wait
                    )
                    connection.close()
                    time.sleep(database_wait)
                    continue
                database_wait = 0.0
                self.ran += ran
                if ran == 0:
                    if self.exit_when_idle:
                        break
                    time.sleep(self.poll_seconds)
        connection.close()
        logger.info("Worker %s stopped after %s messages", self.worker_id, self.ran)
