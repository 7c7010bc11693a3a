"""Periodic jobs, run by the outbox workers on their own schedule whatever the backlog.

The apps that own a job register it when Django starts (``AppConfig.ready``), so the
outbox, below them, never imports them. A job runs in one worker of the cluster at a time:
each is a ``Schedule`` row, and the worker whose conditional UPDATE moves ``next_run_at``
on is the one that runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from laurel.outbox.models import Schedule

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[datetime], object]
    every: timedelta | None  # None: every WORKER_SWEEP_INTERVAL_SECONDS

    @property
    def interval(self) -> timedelta:
        return self.every or timedelta(seconds=settings.WORKER_SWEEP_INTERVAL_SECONDS)


_jobs: dict[str, PeriodicJob] = {}


def periodic_job_register(
    name: str, run: Callable[[datetime], object], *, every: timedelta | None = None
) -> None:
    """Run ``run(now)`` every ``every`` (by default the sweep interval) in one worker."""
    _jobs[name] = PeriodicJob(name=name, run=run, every=every)


def periodic_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def periodic_jobs_run_due(*, now: datetime | None = None) -> dict[str, object]:
    """Run every registered job that is due and not taken by another worker; returns what
    each job run here returned. A job that raises is logged and tried at its next turn."""
    now = now or timezone.now()
    Schedule.objects.bulk_create(
        [Schedule(name=job.name, next_run_at=now) for job in _jobs.values()],
        ignore_conflicts=True,
    )
    ran: dict[str, object] = {}
    for job in list(_jobs.values()):
        taken = Schedule.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.interval, last_started_at=now
        )
        if not taken:
            continue
        try:
            ran[job.name] = job.run(now)
        except Exception as error:
            logger.exception("The periodic job %s failed", job.name)
            Schedule.objects.filter(name=job.name).update(
                last_error=f"{type(error).__name__}: {error}"
            )
        else:
            Schedule.objects.filter(name=job.name).update(
                last_finished_at=timezone.now(), last_error=""
            )
    return ran


def periodic_next_due() -> datetime | None:
    """When the next job is due anywhere in the cluster (None: no job registered yet)."""
    return (
        Schedule.objects.filter(name__in=list(_jobs))
        .order_by("next_run_at")
        .values_list("next_run_at", flat=True)
        .first()
    )
