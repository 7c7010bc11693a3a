"""django-tasks' enqueue interface, written to the outbox.

``@task`` functions keep their django-tasks shape (``task.enqueue(...)``, and Django's
own ``django.tasks`` later); this backend makes each enqueue one outbox message in the
caller's transaction. ``enqueue_many`` (and ``enqueue_linked``, which returns the messages)
write many at once, for set-based callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError
from django_tasks.exceptions import InvalidTaskError, TaskResultDoesNotExist

from laurel.outbox.models import Message
from laurel.outbox.services import message_new, messages_enqueue, messages_enqueue_fast

T = TypeVar("T")

STATUS_OF_RESULT = {
    Message.Status.PENDING: TaskResultStatus.READY,
    Message.Status.RUNNING: TaskResultStatus.RUNNING,
    Message.Status.DONE: TaskResultStatus.SUCCESSFUL,
    Message.Status.FAILED: TaskResultStatus.FAILED,
}


class OutboxBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True

    def validate_task(self, task: Task[Any, Any]) -> None:
        super().validate_task(task)
        if task.takes_context:
            raise InvalidTaskError("Outbox tasks take their arguments only, not a context.")

    def enqueue(
        self, task: Task[Any, T], args: Iterable[Any], kwargs: Mapping[str, Any]
    ) -> TaskResult[T]:
        self.validate_task(task)
        [message] = messages_enqueue(
            messages=[
                message_new(
                    kind=task.module_path, args=args, kwargs=kwargs, run_after=task.run_after,
                    now=timezone.now(),
                )
            ]
        )  # fmt: skip
        return self._result(task, message)

    def get_result(self, result_id: str) -> TaskResult[Any]:
        message = Message.objects.filter(pk=int(result_id) if result_id.isdigit() else 0).first()
        if message is None:
            raise TaskResultDoesNotExist(result_id)
        return self._result(import_string(message.kind), message)

    def _result(self, task: Task[Any, T], message: Message) -> TaskResult[T]:
        tries = list(message.tries.all()) if message.attempts else []
        return TaskResult(
            task=task,
            id=str(message.pk),
            status=STATUS_OF_RESULT[Message.Status(message.status)],
            enqueued_at=message.created_at,
            started_at=tries[0].started_at if tries else None,
            finished_at=message.finished_at,
            last_attempted_at=tries[-1].finished_at if tries else None,
            args=message.arguments.get("args", []),
            kwargs=message.arguments.get("kwargs", {}),
            backend=self.alias,
            errors=[
                TaskError(exception_class_path="", traceback=attempt.error)
                for attempt in tries
                if not attempt.succeeded
            ],
            worker_ids=[attempt.worker_id for attempt in tries],
        )


def _outbox_task(task: Task[Any, Any]) -> Task[Any, Any]:
    task.get_backend().validate_task(task)
    if not isinstance(task.get_backend(), OutboxBackend):
        raise InvalidTaskError(f"{task.module_path} is not queued in the outbox.")
    return task


def enqueue_many(
    task: Task[Any, Any],
    kwargs_list: Iterable[Mapping[str, Any]],
    *,
    organisation_id: int | None = None,
    recipient_ids: Iterable[int | None] | None = None,
    run_after: datetime | None = None,
) -> int:
    """One message per set of keyword arguments, written in bulk; returns how many. Call
    it inside the transaction of the change that caused them: they commit, or roll back,
    with it. ``recipient_ids`` (one per set of arguments) names the person each email goes
    to, for listing what one person was sent."""
    _outbox_task(task)
    return messages_enqueue_fast(
        kind=task.module_path, kwargs_list=kwargs_list, organisation_id=organisation_id,
        recipient_ids=recipient_ids, run_after=run_after or task.run_after, now=timezone.now(),
    )  # fmt: skip


def enqueue_linked(
    task: Task[Any, Any],
    kwargs_list: Iterable[Mapping[str, Any]],
    *,
    organisation_id: int | None = None,
    run_after: datetime | None = None,
) -> list[Message]:
    """As ``enqueue_many``, returning the messages with their ids, for callers that keep a
    link to them (a webhook delivery to the message that sends it)."""
    _outbox_task(task)
    now = timezone.now()
    return messages_enqueue(
        messages=[
            message_new(
                kind=task.module_path, kwargs=kwargs, organisation_id=organisation_id,
                run_after=run_after or task.run_after, now=now,
            )
            for kwargs in kwargs_list
        ]
    )  # fmt: skip
