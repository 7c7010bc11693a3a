"""Periodic jobs: registered by the apps, run by one worker per turn, between messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from laurel.outbox.models import Schedule
from laurel.outbox.periodic import periodic_job_register, periodic_jobs, periodic_jobs_run_due
from laurel.outbox.tests import tasks
from laurel.outbox.worker import Worker, run_batch
from laurel.testing import at_once


def test_the_apps_register_their_periodic_jobs():
    assert {"complete elapsed sessions", "prune idempotency records", "prune rate limits"} <= {
        job.name for job in periodic_jobs()
    }


@pytest.mark.django_db(transaction=True)
def test_a_due_job_runs_in_one_of_several_workers_at_once(monkeypatch):
    monkeypatch.setattr("laurel.outbox.periodic._jobs", {})
    runs: list[str] = []
    periodic_job_register("count", lambda now: runs.append("ran"))

    results = at_once(periodic_jobs_run_due, periodic_jobs_run_due, periodic_jobs_run_due)

    assert not [r for r in results if isinstance(r, Exception)]
    assert runs == ["ran"]


def failing_job(now):
    raise RuntimeError("out of cheese")


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run(monkeypatch):
    monkeypatch.setattr("laurel.outbox.periodic._jobs", {})
    periodic_job_register("broken", failing_job)
    periodic_job_register("fine", lambda now: "ran")

    assert periodic_jobs_run_due() == {"fine": "ran"}

    assert Schedule.objects.get(name="broken").last_error == "RuntimeError: out of cheese"


@pytest.mark.django_db
def test_a_job_that_falls_due_mid_batch_runs_before_the_next_message(monkeypatch):
    monkeypatch.setattr("laurel.outbox.periodic._jobs", {})
    periodic_job_register("sweep", lambda now: tasks.log.append("sweep"))
    tasks.log.clear()
    for entry in ("first", "second", "third"):
        tasks.note.enqueue(entry=entry)
    worker = Worker(worker_id="test-worker", batch_size=10)
    worker.periodic_if_due()
    assert tasks.log == ["sweep"]

    def between() -> None:
        if tasks.log[-1] == "first":
            # The sweep interval has passed while the first message ran.
            Schedule.objects.update(next_run_at=timezone.now() - timedelta(seconds=1))
            worker.periodic_due_at = 0
        worker.periodic_if_due()

    assert run_batch(worker_id=worker.worker_id, between=between) == 3
    assert tasks.log == ["sweep", "first", "sweep", "second", "third"]
