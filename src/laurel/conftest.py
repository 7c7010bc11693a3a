from __future__ import annotations

from datetime import datetime

import pytest

from laurel.outbox.worker import run_batch


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_tasks():
    """Run every outbox message that is due, with the worker's own batch function (claims,
    attempts, retries); ``now`` moves the clock, to reach a retry's time. Returns how many
    messages ran."""

    def run(*, now: datetime | None = None) -> int:
        ran = 0
        while batch := run_batch(worker_id="test-worker", now=now):
            ran += batch
        return ran

    return run
