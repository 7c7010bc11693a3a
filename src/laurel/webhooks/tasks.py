"""Background tasks for webhooks. Each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from laurel.webhooks.services import webhook_deliver


@task()
def deliver_webhooks(*, delivery_ids: list[int]) -> dict[str, int]:
    outcome: dict[str, int] = {}
    for delivery_id in delivery_ids:
        status = webhook_deliver(delivery_id=delivery_id)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome
