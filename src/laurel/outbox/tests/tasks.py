"""Tasks for the outbox's own tests, importable by path like any task."""

from __future__ import annotations

import time
from collections import Counter

from django_tasks import task

from laurel.outbox.services import AttemptFailed

runs: Counter[str] = Counter()
log: list[str] = []


@task()
def flaky(*, key: str, failures: int) -> dict[str, int]:
    """Fails ``failures`` times, then succeeds."""
    runs[key] += 1
    if runs[key] <= failures:
        raise ConnectionError(f"run {runs[key]} of {key} failed")
    return {"succeeded_on_run": runs[key]}


@task()
def refused(*, key: str) -> None:
    runs[key] += 1
    raise AttemptFailed("The receiver said no.", detail={"status_code": 410}, retry=False)


@task()
def note(*, entry: str) -> None:
    log.append(entry)


@task()
def slow(*, seconds: float) -> None:
    time.sleep(seconds)
