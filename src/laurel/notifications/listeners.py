"""Which award changes send an email: a new certificate, a new badge.

A correction made before the email went out needs nothing more: the email sends the
current version of the certificate when it goes.
"""

from __future__ import annotations

from laurel.badges.events import BadgeChange, BadgesIssued
from laurel.certificates.events import AwardChange, AwardsIssued
from laurel.notifications.tasks import send_award_email, send_badge_email
from laurel.outbox.backend import enqueue_many


def on_award_change(event: AwardChange) -> None:
    # One outbox message per email, written inside the awarding transaction: if the awards
    # roll back, so do their emails, and one address that refuses fails only its own.
    if isinstance(event, AwardsIssued):
        enqueue_many(
            send_award_email,
            ({"award_id": award_id} for award_id in event.award_ids),
            organisation_id=event.organisation_id,
            recipient_ids=event.user_ids or None,
        )


def on_badge_change(event: BadgeChange) -> None:
    # As for certificates: one outbox message per email, in the awarding transaction.
    if isinstance(event, BadgesIssued):
        enqueue_many(
            send_badge_email,
            ({"award_id": award_id} for award_id in event.award_ids),
            organisation_id=event.organisation_id,
            recipient_ids=event.user_ids or None,
        )
