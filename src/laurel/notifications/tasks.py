"""Background tasks. Each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from laurel.notifications.services import award_notifications_send


@task()
def send_award_notifications(*, award_ids: list[int]) -> int:
    return award_notifications_send(award_ids=award_ids)
