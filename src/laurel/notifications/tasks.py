"""Background tasks. Each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from laurel.notifications.services import award_email_send


@task()
def send_award_email(*, award_id: int) -> dict[str, int | None]:
    return {"sent_award_id": award_email_send(award_id=award_id)}
