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
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from laurel.certificates.models import IssuedCertificate
from laurel.certificates.representations import award_out
from laurel.errors import InvalidInput
from laurel.programs.models import Organisation
from laurel.validation import clean_line
from laurel.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

CHUNK = 2000
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
CLAIM_FOR = timedelta(minutes=2)
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "Laurel-Signature"
TIMESTAMP_HEADER = "Laurel-Timestamp"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``, as sent in the signature header (``v1=<hex>``)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def webhook_url_clean(url: object) -> str:
    value = clean_line(url, field="url", label="Endpoint URL", max_length=500)
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        raise InvalidInput.field("url", f"{value!r} is not a URL.") from None
    parts = urlsplit(value)
    # Plain HTTP only to this machine, for trying a receiver out locally.
    if parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidInput.field("url", "Webhook endpoints must use https://.")
    literal = _ip_literal(parts.hostname or "")
    if literal is not None and _internal(literal):
        raise InvalidInput.field(
            "url", f"{literal} is an internal address; webhooks are sent to public addresses only."
        )
    return value


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # Receivers on this machine or the private network are allowed only where settings say
    # so (by default, in development): elsewhere a customer's endpoint must not be a way
    # to reach services behind the firewall, such as a cloud metadata address.
    return not settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES and not address.is_global


def _internal_address_of(url: str) -> str:
    """Why ``url`` must not be sent to because its host resolves to an internal address;
    empty if it may be sent to."""
    if settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        return f"Cannot resolve {host}: {error}"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if _internal(address):
            return f"{host} resolves to {address}, an internal address; not sent."
    return ""


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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would arrive as a GET without the payload, and its answer would
    # pass for a delivery: a redirect is a failed attempt instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """Send one request: (status code, response excerpt, error)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked when registered
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(1000).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as error:
        excerpt = error.read(1000).decode("utf-8", "replace") if error.fp else ""
        return error.code, excerpt, f"HTTP {error.code}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"{type(error).__name__}: {reason}"[:1000]


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
    refused = _internal_address_of(endpoint.url)
    if refused:
        status_code, excerpt, error = None, "", refused
    else:
        status_code, excerpt, error = _post(endpoint.url, body, headers)
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
