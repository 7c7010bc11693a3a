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
from concurrent.futures import Future, ThreadPoolExecutor
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
from laurel.outbox.handover import HandoverRefused, handover_aware, handover_gate
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


class Recorder:
    """Records a worker's attempts one after another, in order, from a thread of its own
    (with its own database connection), so that the worker goes on with the next message
    while the last one's attempt is written; see ``laurel.outbox.handover`` for why that
    keeps the one window for a duplicate as narrow as recording in line.

    Inside a caller's transaction (tests) it records in line instead: another connection
    could not see what that transaction claimed.
    """

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._pending: list[Future[str | None]] = []

    def record(self, **attempt: Any) -> str | None:
        """Record an attempt (``attempt_record``'s arguments). Returns its new status when
        recorded in line, None when it is being recorded in the background."""
        if connection.in_atomic_block:
            self.wait()
            return attempt_record(**attempt)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-record")
        self._pending.append(self._executor.submit(_record_in_thread, attempt))
        return None

    def wait(self) -> None:
        """Return once every attempt given so far is committed; raise the first error."""
        pending, self._pending = self._pending, []
        error: BaseException | None = None
        for future in pending:
            try:
                future.result()
            except BaseException as failed:
                # The first error is raised once all have ended.
                error = error or failed
        if error is not None:
            raise error

    def close(self) -> None:
        """Wait for the attempts given, then end the thread and close its connection."""
        try:
            self.wait()
        finally:
            executor, self._executor = self._executor, None
            if executor is not None:
                executor.submit(_close_connection).result()
                executor.shutdown()


def _record_in_thread(attempt: dict[str, Any]) -> str | None:
    try:
        return attempt_record(**attempt)
    except BaseException:
        # A broken connection is made again for the next attempt.
        connection.close()
        raise


def _close_connection() -> None:
    connection.close()


def message_run(
    message: Message,
    *,
    worker_id: str,
    now: datetime | None = None,
    prepared: Prepared | None = None,
    durable: bool = True,
    recorder: Recorder | None = None,
    idle: Callable[[], None] | None = None,
) -> str | None:
    """Run one claimed message's task (or its ``prepared`` work, read with its batch) and
    record the attempt (``durable``: see ``attempt_record``); returns the new status.

    With a ``recorder``, the attempt is recorded by it, and the status is None while it
    is being recorded. The previous attempt given to the recorder is committed before
    this message's effect happens: a task registered as handover-aware waits for it at
    its point of no return (``laurel.outbox.handover``), any other before it starts.
    ``idle`` is work for the time the task waits after its handover (``while_waiting``).
    """
    started_at = now or timezone.now()
    aware = recorder is not None and handover_aware(message.kind)
    if recorder is not None and not aware:
        recorder.wait()
    refused: list[HandoverRefused] = []

    def gate() -> None:
        if recorder is None or refused:
            if refused:
                raise refused[0]
            return
        try:
            recorder.wait()
        except Exception as error:
            refused.append(HandoverRefused(f"Message {message.pk}: the one before is not recorded"))
            raise refused[0] from error

    # Inside a caller's transaction (tests) a savepoint keeps one task's database error
    # from spoiling the others; otherwise the task runs in autocommit, so no lock is held
    # while it talks to a mail server or a webhook receiver.
    isolation = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with isolation, handover_gate(gate, idle=idle):
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
    if refused:
        # The attempt before could not be recorded, so this message's effect did not
        # happen: the worker meets the database's own error (and waits it out); the
        # message is run again once its lease ends.
        cause = refused[0].__cause__
        raise cause if cause is not None else refused[0]
    attempt: dict[str, Any] = {
        "message": message, "worker_id": worker_id, "outcome": outcome,
        "started_at": started_at, "now": now or timezone.now(), "durable": durable,
    }  # fmt: skip
    if recorder is None:
        return attempt_record(**attempt)
    return recorder.record(**attempt)


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
    recorder: Recorder | None = None,
) -> int:
    """Claim up to ``limit`` due messages and run them one by one; returns how many ran,
    each attempt recorded (committed).

    ``between`` is called before each message (the worker checks its periodic jobs
    there); once ``stopping()`` is true, the messages not yet started are given back.
    ``holding`` tells the heartbeat which leases to renew: only while this batch works on
    them, so that a batch cut short by an error lets its leases run out. ``recorder``
    records the attempts (the worker keeps one for its life); without one, the batch has
    its own.
    """
    holding = holding or Holding()
    own_recorder = recorder is None
    recorder = recorder or Recorder()
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
            # While this message's task waits for its answer, the next prepared one is put
            # together (it is run only if still fresh, and so is what it read).
            following = prepared.get(claimed[index + 1].pk) if index + 1 < len(claimed) else None
            ready = getattr(following, "ready", None) if fresh else None
            # Every OUTBOX_DURABLE_EVERY-th attempt, and the batch's last, waits for the
            # disk (and takes the ones before with it); the others do not (PostgreSQL).
            every = max(settings.OUTBOX_DURABLE_EVERY, 1)
            durable = (ran + 1) % every == 0 or index == len(claimed) - 1
            message_run(
                message, worker_id=worker_id, now=now, prepared=run, durable=durable,
                recorder=recorder, idle=ready,
            )  # fmt: skip
            holding.discard([message.pk])
            ran += 1
        recorder.wait()
    except BaseException:
        if own_recorder:
            try:
                recorder.close()
            except Exception:
                logger.exception("Could not record the attempts of a batch cut short")
        raise
    else:
        if own_recorder:
            recorder.close()
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
        self.recorder = Recorder()
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

    def _recorder_reset(self) -> None:
        # Its thread and connection end here; a new one starts with the next attempt.
        try:
            self.recorder.close()
        except Exception:
            logger.exception("Worker %s could not record its last attempts", self.worker_id)
        self.recorder = Recorder()

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
                        holding=self.holding, recorder=self.recorder,
                    )  # fmt: skip
                except (OperationalError, InterfaceError) as error:
                    # A locked or unreachable database: wait, reconnect, go on. Messages
                    # claimed meanwhile are taken over by others once their lease ends.
                    database_wait = min(max(database_wait * 2, 0.5), LONGEST_DATABASE_WAIT_SECONDS)
                    logger.warning(
                        "Database unavailable (%s); trying again in %.1f s", error, database_wait
                    )
                    connection.close()
                    self._recorder_reset()
                    time.sleep(database_wait)
                    continue
                database_wait = 0.0
                self.ran += ran
                if ran == 0:
                    if self.exit_when_idle:
                        break
                    time.sleep(self.poll_seconds)
        self._recorder_reset()
        connection.close()
        logger.info("Worker %s stopped after %s messages", self.worker_id, self.ran)
