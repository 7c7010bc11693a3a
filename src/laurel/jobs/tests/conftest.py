from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django_tasks_db.models import DBTaskResult, get_date_max

from laurel.jobs.worker import Worker


@pytest.fixture
def worker() -> Worker:
    return Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        sweep_interval=0,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )


@pytest.fixture
def run_due_tasks(worker):
    """Run every task that is due, as ``manage.py worker`` does (failures are retried)."""

    # The worker's own loop closes database connections between tasks, which a test
    # running inside a transaction cannot allow; run each due task the way it does.
    def run() -> int:
        ran = 0
        while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
            result.claim(worker.worker_id)
            worker.run_task(result)
            ran += 1
        return ran

    return run


@pytest.fixture
def fast_forward():
    """Move the waiting tasks' clock on: what would be due in ``seconds`` is due now."""

    def move(seconds: float) -> None:
        DBTaskResult.objects.filter(status="READY", run_after__lt=get_date_max()).update(
            run_after=F("run_after") - timedelta(seconds=seconds)
        )

    return move
