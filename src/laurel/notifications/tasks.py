"""Background tasks. Each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def send_award_email(*, award_id: int) -> dict[str, Any]:
    # Imported here: the reminder services queue these tasks, so import this module.
    from laurel.notifications.services.emails import award_email_send

    return award_email_send(award_id=award_id)


@task()
def send_feedback_reminder(*, user_id: int, session_ids: list[int]) -> dict[str, Any]:
    from laurel.notifications.services.emails import reminder_email_send

    return reminder_email_send(user_id=user_id, session_ids=session_ids)


@task()
def send_badge_email(*, award_id: int) -> dict[str, Any]:
    from laurel.notifications.services.emails import badge_email_send

    return badge_email_send(award_id=award_id)
