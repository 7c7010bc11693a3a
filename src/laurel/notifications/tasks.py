"""Background tasks. Each takes ids, calls a service, and is safe to run twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django_tasks import task

if TYPE_CHECKING:
    from laurel.notifications.services.emails import AwardEmail


@task()
def send_award_email(*, award_id: int) -> dict[str, Any]:
    # Imported here: the reminder services queue these tasks, so import this module.
    from laurel.notifications.services.emails import award_email_send

    return award_email_send(award_id=award_id)


def send_award_emails_prepare(batch: Sequence[Mapping[str, Any]]) -> list[AwardEmail]:
    """``send_award_email`` for a batch of messages, read from the database at once (the
    outbox worker calls it for each batch it claims; see ``laurel.outbox.batches``)."""
    from laurel.notifications.services.emails import award_emails_prepare

    return award_emails_prepare(award_ids=[int(kwargs["award_id"]) for kwargs in batch])


@task()
def send_feedback_reminder(*, user_id: int, session_ids: list[int]) -> dict[str, Any]:
    from laurel.notifications.services.emails import reminder_email_send

    return reminder_email_send(user_id=user_id, session_ids=session_ids)


@task()
def send_badge_email(*, award_id: int) -> dict[str, Any]:
    from laurel.notifications.services.emails import badge_email_send

    return badge_email_send(award_id=award_id)


@task()
def send_badge_emails_expand(*, organisation_id: int, award_ids: list[int]) -> dict[str, Any]:
    from laurel.notifications.services.badge_emails import badge_emails_expand

    return badge_emails_expand(organisation_id=organisation_id, award_ids=award_ids)
