"""Outgoing webhooks: registering endpoints and queueing deliveries.

A delivery row and its outbox message are written in the same transaction as the award or
revocation they report, so neither is lost nor sent for a change that rolled back. The
outbox sends each delivery on its own (``laurel.webhooks.sending``): one endpoint that
fails holds up no other.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from laurel.certificates.models import IssuedCertificate
from laurel.certificates.representations import award_out
from laurel.errors import InvalidInput
from laurel.outbox.backend import enqueue_linked
from laurel.programs.models import Organisation
from laurel.validation import clean_line
from laurel.webhooks.addresses import webhook_url_clean
from laurel.webhooks.models import WebhookDelivery, WebhookEndpoint
from laurel.webhooks.tasks import deliver_webhook

__all__ = ["webhook_endpoint_create", "webhook_endpoint_disable", "webhook_url_clean"]

CHUNK = 2000


def webhook_endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    description: str = "",
    sends_awarded: bool = True,
    sends_revoked: bool = True,
) -> WebhookEndpoint:
    """Register an endpoint; its secret is made here and shared with the receiver."""
    url = webhook_url_clean(url)
    description = clean_line(
        description, field="description", label="Description", max_length=200, required=False
    )
    if not (sends_awarded or sends_revoked):
        raise InvalidInput.field("events", "Choose at least one event to send.")
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        description=description,
        secret="whsec_" + secrets.token_urlsafe(32),
        sends_awarded=sends_awarded,
        sends_revoked=sends_revoked,
    )


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to an endpoint; deliveries not yet sent are dropped as they come up."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    endpoint.is_active = False
    return endpoint


def webhooks_queue(
    *,
    award_ids: Sequence[int],
    event: str,
    organisation_id: int | None = None,
    occurrence: int = 1,
    now: datetime | None = None,
) -> int:
    """Queue ``event`` about these awards for every endpoint that wants it, once per
    endpoint; returns how many deliveries were queued.

    Call it inside the transaction that awarded or revoked: the deliveries and their
    outbox messages then commit, or roll back, with the change. Callers that know the
    awards' organisation pass it, which spares a query on the path of every award.
    ``occurrence`` tells a second revocation of the same award (after a reinstatement)
    from the first, which is then reported again.
    """
    if event not in WebhookDelivery.Event.values or not award_ids:
        return 0
    now = now or timezone.now()
    wants = {"sends_awarded": True} if event == WebhookDelivery.Event.AWARDED else {}
    if event == WebhookDelivery.Event.REVOKED:
        wants = {"sends_revoked": True}
    queued = 0
    ids = list(dict.fromkeys(award_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        organisations = (
            {organisation_id}
            if organisation_id is not None
            else set(
                IssuedCertificate.objects.filter(pk__in=chunk).values_list(
                    "program__organisation_id", flat=True
                )
            )
        )
        endpoints: dict[int, list[WebhookEndpoint]] = {}
        for endpoint in WebhookEndpoint.objects.filter(
            organisation_id__in=organisations, is_active=True, **wants
        ):
            endpoints.setdefault(endpoint.organisation_id, []).append(endpoint)
        if not endpoints:
            continue
        already = set(
            WebhookDelivery.objects.filter(
                award_id__in=chunk, event=event, occurrence=occurrence,
                endpoint_id__in=[e.pk for found in endpoints.values() for e in found],
            ).values_list("endpoint_id", "award_id")
        )  # fmt: skip
        deliveries = []
        awards = IssuedCertificate.objects.filter(
            pk__in=chunk, program__organisation_id__in=list(endpoints)
        ).select_related("program")
        for award in awards:
            data = award_out(award)
            for endpoint in endpoints[award.program.organisation_id]:
                if (endpoint.pk, award.pk) in already:
                    continue
                delivery = WebhookDelivery(
                    endpoint=endpoint,
                    event=event,
                    award=award,
                    created_at=now,
                    payload={},
                    occurrence=occurrence,
                )
                delivery.payload = {
                    "id": str(delivery.event_id),
                    "type": event,
                    "created_at": now.isoformat(),
                    "data": {"award": json.loads(json.dumps(data, cls=DjangoJSONEncoder))},
                }
                deliveries.append(delivery)
        # One message per delivery, so that one endpoint failing fails only its own.
        by_organisation: dict[int, list[WebhookDelivery]] = {}
        for delivery in deliveries:
            by_organisation.setdefault(delivery.endpoint.organisation_id, []).append(delivery)
        for organisation, group in by_organisation.items():
            messages = enqueue_linked(
                deliver_webhook,
                ({"event_id": str(delivery.event_id)} for delivery in group),
                organisation_id=organisation,
            )
            for delivery, message in zip(group, messages, strict=True):
                delivery.message = message
        WebhookDelivery.objects.bulk_create(deliveries, batch_size=500)
        queued += len(deliveries)
    return queued
