"""Outgoing webhooks: registering endpoints, queueing deliveries, sending them signed.

A delivery row is written in the same transaction as the award or revocation it reports,
and its task is enqueued in that transaction too, so neither is lost nor sent for a
change that rolled back. Sending claims the row first (a conditional UPDATE), so two
workers never send the same delivery at once; a failure is recorded as an attempt and
retried later with exponential backoff, until ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from laurel.certificates.models import IssuedCertificate
from laurel.certificates.representations import award_out
from laurel.errors import InvalidInput
from laurel.programs.models import Organisation
from laurel.validation import clean_line
from laurel.webhooks.addresses import webhook_post, webhook_url_clean
from laurel.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

CHUNK = 2000
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
CLAIM_FOR = timedelta(minutes=2)
SIGNATURE_HEADER = "Laurel-Signature"
TIMESTAMP_HEADER = "Laurel-Timestamp"


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``, as sent in the signature header (``v1=<hex>``)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


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
    now: datetime | None = None,
) -> int:
    """Queue ``event`` about these awards for every endpoint that wants it; returns how many.

    Call it inside the transaction that awarded or revoked: the deliveries and their task
    then commit, or roll back, with the change. Callers that know the awards' organisation
    pass it, which spares a query on the path of every award.
    """
    from laurel.webhooks.tasks import deliver_webhooks

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
        deliveries = []
        awards = IssuedCertificate.objects.filter(
            pk__in=chunk, program__organisation_id__in=list(endpoints)
        ).select_related("program")
        for award in awards:
            data = award_out(award)
            for endpoint in endpoints[award.program.organisation_id]:
                delivery = WebhookDelivery(
                    endpoint=endpoint, event=event, award=award, next_attempt_at=now,
                    created_at=now, payload={},
                )  # fmt: skip
                delivery.payload = {
                    "id": str(delivery.event_id),
                    "type": event,
                    "created_at": now.isoformat(),
                    "data": {"award": json.loads(json.dumps(data, cls=DjangoJSONEncoder))},
                }
                deliveries.append(delivery)
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=500)
        created = list(
            WebhookDelivery.objects.filter(
                event_id__in=[d.event_id for d in deliveries]
            ).values_list("pk", flat=True)
        )
        for batch_start in range(0, len(created), 100):
            deliver_webhooks.enqueue(delivery_ids=created[batch_start : batch_start + 100])
        queued += len(created)
    return queued


def _backoff(attempts: int) -> timedelta:
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> str:
    """Try to send one delivery if it is due; returns its status afterwards.

    Safe to run twice and from several workers: the row is claimed before sending.
    """
    from laurel.webhooks.tasks import deliver_webhooks

    now = now or timezone.now()
    claim = now + CLAIM_FOR
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .exclude(claimed_until__gt=now)
        .update(claimed_until=claim)
    )
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if not claimed:
        return delivery.status
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, claimed_until=None
        )
        return WebhookDelivery.Status.FAILED
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Laurel-Webhooks/1",
        "Laurel-Event": delivery.event,
        "Laurel-Delivery": str(delivery.event_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    started = time.perf_counter()
    status_code, excerpt, error = webhook_post(url=endpoint.url, body=body, headers=headers)
    duration_ms = int((time.perf_counter() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    attempted_at = now
    with transaction.atomic():
        # A receiver slow enough to outlast the claim may have let another worker take the
        # delivery over; that worker records its own attempt, so this one is not recorded.
        mine = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery.pk, claimed_until=claim)
            .values_list("attempts", flat=True)
            .first()
        )
        if mine is None:
            logger.warning(
                "Webhook delivery %s was taken over while it was being sent", delivery.pk
            )
            return str(WebhookDelivery.objects.get(pk=delivery.pk).status)
        attempts = mine + 1
        WebhookAttempt.objects.create(
            delivery=delivery, number=attempts, attempted_at=attempted_at,
            duration_ms=duration_ms, status_code=status_code, error=error[:1000],
            response_excerpt=excerpt[:1000],
        )  # fmt: skip
        changes: dict[str, Any] = {"attempts": attempts, "claimed_until": None}
        if succeeded:
            changes |= {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": attempted_at}
        elif attempts >= MAX_ATTEMPTS:
            changes |= {"status": WebhookDelivery.Status.FAILED}
        else:
            changes |= {"next_attempt_at": attempted_at + _backoff(attempts)}
            deliver_webhooks.using(run_after=changes["next_attempt_at"]).enqueue(
                delivery_ids=[delivery.pk]
            )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    return str(changes.get("status", WebhookDelivery.Status.PENDING))


def webhook_deliveries_resume(*, now: datetime | None = None) -> int:
    """Queue again every delivery that is due but was left behind (say, by a worker that
    died while sending). Run it now and then; a delivery still queued is not sent twice."""
    from laurel.webhooks.tasks import deliver_webhooks

    now = now or timezone.now()
    stale = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now - CLAIM_FOR
        )
        .exclude(claimed_until__gt=now)
        .values_list("pk", flat=True)[:10_000]
    )
    for start in range(0, len(stale), 100):
        deliver_webhooks.enqueue(delivery_ids=stale[start : start + 100])
    return len(stale)
