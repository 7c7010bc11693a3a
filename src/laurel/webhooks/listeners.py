"""Which award changes are sent to webhook endpoints: the two events the API publishes,
``certificate.awarded`` and ``certificate.revoked``. A reinstatement or a correction has
no event of its own; an integration reads the award again (``GET /api/v1/awards/{id}``)."""

from __future__ import annotations

from laurel.certificates.events import AwardChange, AwardRevoked, AwardsIssued
from laurel.webhooks.models import WebhookDelivery
from laurel.webhooks.services import webhooks_queue


def on_award_change(event: AwardChange) -> None:
    if isinstance(event, AwardsIssued):
        webhooks_queue(
            award_ids=event.award_ids,
            event=WebhookDelivery.Event.AWARDED,
            organisation_id=event.organisation_id,
        )
    elif isinstance(event, AwardRevoked):
        webhooks_queue(
            award_ids=[event.award_id],
            event=WebhookDelivery.Event.REVOKED,
            organisation_id=event.organisation_id,
            occurrence=event.occurrence,
        )
