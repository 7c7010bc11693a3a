"""Which award changes send an email: a new certificate, a new badge.

A correction made before the email went out needs nothing more: the email sends the
current version of the certificate when it goes.
"""

from __future__ import annotations

from laurel.badges.events import BadgeChange, BadgesIssued
from laurel.certificates.events import AwardChange, AwardsIssued
from laurel.notifications.services.badge_emails import badge_emails_queue
from laurel.notifications.tasks import send_award_email
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
    # As for certificates, in the awarding transaction; a large award's emails are queued
    # a chunk of awards per message, which the worker expands (``badge_emails_queue``).
    if isinstance(event, BadgesIssued):
        badge_emails_queue(
            organisation_id=event.organisation_id,
            award_ids=event.award_ids,
            user_ids=event.user_ids,
        )
