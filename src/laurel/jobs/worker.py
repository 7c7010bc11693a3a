"""The background worker: django-tasks-db's worker loop, with retries and periodic sweeps."""

from __future__ import annotations

import logging
import time
from typing import Any

from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from laurel.jobs.models import RetryingTaskResult
from laurel.jobs.services import sweep_run

logger = logging.getLogger(__name__)


class Worker(DatabaseWorker):
    """Runs due tasks with django-tasks-db's own loop and, between runs, the sweeps.

    The parent's loop is used in its batch mode: it runs every due task, then returns.
    This loop then sweeps when a sweep is due, waits ``interval`` seconds and goes again;
    with ``exit_when_idle`` it sweeps once, runs what is due and stops.
    """

    def __init__(self, *, sweep_interval: float, exit_when_idle: bool = False, **options: Any):
        super().__init__(batch=True, **options)
        self.sweep_interval = sweep_interval
        self.exit_when_idle = exit_when_idle
        self.next_sweep_at = 0.0

    def run(self) -> None:
        logger.info(
            "Worker %s started (queues %s, sweeps every %s s)",
            self.worker_id, ",".join(self.queue_names), self.sweep_interval,
        )  # fmt: skip
        while self.running:
            self.sweep_if_due()
            if not self.running:
                break
            super().run()
            # The parent waits a moment before its first look at the queue so that workers
            # started together spread out; once is enough.
            self.startup_delay = False
            if self.exit_when_idle or self.reached_max_tasks():
                break
            if self.running:
                time.sleep(self.interval)
        logger.info("Worker %s stopped after %s tasks", self.worker_id, self._run_tasks)

    def reached_max_tasks(self) -> bool:
        return self.max_tasks is not None and self._run_tasks >= self.max_tasks

    def sweep_if_due(self) -> None:
        if time.monotonic() < self.next_sweep_at:
            return
        self.next_sweep_at = time.monotonic() + self.sweep_interval
        # Counted as a task, so that a shutdown signal lets the sweep finish first.
        self.running_task = True
        try:
            result = sweep_run()
        except Exception:
            # A failed sweep is tried again at the next interval; the worker keeps going.
            logger.exception("The periodic sweep failed")
        else:
            if (
                result.tasks_recovered
                or result.sessions_completed
                or result.webhook_deliveries_resumed
            ):
                logger.info(
                    "Sweep: %s lost tasks recovered, %s elapsed sessions completed,"
                    " %s webhook deliveries queued again",
                    result.tasks_recovered, result.sessions_completed,
                    result.webhook_deliveries_resumed,
                )  # fmt: skip
        finally:
            self.running_task = False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # Run it as a result whose failure enqueues its next attempt in the same transaction.
        retrying = RetryingTaskResult.from_db(
            db_task_result._state.db,
            [field.attname for field in DBTaskResult._meta.concrete_fields],
            [
                getattr(db_task_result, field.attname)
                for field in DBTaskResult._meta.concrete_fields
            ],
        )
        super().run_task(retrying)
