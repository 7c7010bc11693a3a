"""What the worker adds to django-tasks-db: a record of retries, and a task result that
schedules its own retry when it fails."""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import retry as retry_on_database_error


class TaskRetry(models.Model):
    """One retry of a failed task: ``result`` is the new attempt, ``retry_of`` the one that
    failed. A failed attempt is retried at most once (the one-to-one is unique)."""

    result = models.OneToOneField(
        DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="retry_record"
    )
    # Kept when old results are pruned: the attempt number still says how far along it is.
    retry_of = models.OneToOneField(
        DBTaskResult, on_delete=models.SET_NULL, null=True, related_name="retried_by"
    )
    attempt = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "task retry"
        verbose_name_plural = "task retries"

    def __str__(self) -> str:
        return f"attempt {self.attempt} of task {self.result_id}"


class RetryingTaskResult(DBTaskResult):
    """A task result whose failure is recorded together with its next attempt."""

    class Meta:
        proxy = True

    # Transient database errors (a locked SQLite file) are tried again, as the parent does;
    # recording a failure is idempotent, so trying again cannot enqueue a second retry.
    @retry_on_database_error()
    def set_failed(self, exc: BaseException) -> None:
        from laurel.jobs.services import task_fail

        task_fail(result=self, error=exc)
