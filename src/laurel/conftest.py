from __future__ import annotations

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_tasks():
    """Run every task that is due, as the background worker would."""
    # The worker's own loop closes database connections between tasks, which a test
    # running inside a transaction cannot allow; run each due task the way it does.
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run() -> int:
        ran = 0
        while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
            result.claim(worker.worker_id)
            worker.run_task(result)
            ran += 1
        return ran

    return run
