"""Background tasks for webhooks. Each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from laurel.webhooks.sending import webhook_deliver


@task()
def deliver_webhook(*, event_id: str) -> dict[str, Any]:
    return webhook_deliver(event_id=event_id)
