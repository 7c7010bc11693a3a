"""Sending one webhook delivery, signed, through ``addresses.webhook_post`` (a public
address, checked when sending; no redirects followed).

Run by the outbox (``laurel.webhooks.tasks``), which claims the delivery's message,
records each attempt and retries with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from laurel.outbox.services import AttemptFailed
from laurel.webhooks.addresses import webhook_post
from laurel.webhooks.models import WebhookDelivery

SIGNATURE_HEADER = "Laurel-Signature"
TIMESTAMP_HEADER = "Laurel-Timestamp"


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``, as sent in the signature header (``v1=<hex>``)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def webhook_deliver(*, event_id: str) -> dict[str, Any]:
    """Send one delivery; returns what the receiver answered. A failure (no answer, an
    answer but 2xx, an internal address) raises ``AttemptFailed`` with that answer, for the
    outbox to record and retry; a delivery to a disabled endpoint fails for good.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(event_id=event_id).first()
    if delivery is None:
        return {"skipped": "no such delivery"}
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise AttemptFailed("The endpoint was disabled; not sent.", retry=False)
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
    # Checks the address it sends to, and never raises: a failure is its answer.
    status_code, excerpt, error = webhook_post(url=endpoint.url, body=body, headers=headers)
    answer = {
        "status_code": status_code,
        "duration_ms": int((time.perf_counter() - started) * 1000),
        "response_excerpt": excerpt[:1000],
    }
    if status_code is not None and 200 <= status_code < 300:
        return answer
    raise AttemptFailed(error[:1000] or f"HTTP {status_code}", detail=answer)
