"""Webhook endpoints over HTTP: register, list, disable, and see their deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import HttpRequest
from ninja import Query, Router, Status

from laurel.api import lookups
from laurel.api.lookups import PathId
from laurel.api.pagination import paginate
from laurel.api.record import READ_ERRORS, WRITE_ERRORS, PageQuery
from laurel.api.schemas import (
    DeliveryPage,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPage,
)
from laurel.outbox.models import Attempt
from laurel.webhooks.models import WebhookDelivery, WebhookEndpoint
from laurel.webhooks.services import webhook_endpoint_create, webhook_endpoint_disable

router = Router(tags=["Webhooks"])


def webhook_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    events = [
        event
        for event, wanted in (
            (WebhookDelivery.Event.AWARDED, endpoint.sends_awarded),
            (WebhookDelivery.Event.REVOKED, endpoint.sends_revoked),
        )
        if wanted
    ]
    return {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "description": endpoint.description,
        "events": events,
        "active": endpoint.is_active,
    }


def _endpoint(request: HttpRequest, raw_id: str) -> WebhookEndpoint:
    return lookups.one(
        WebhookEndpoint.objects.filter(organisation_id=lookups.organisation_id(request)),
        raw_id,
        "webhook endpoint",
    )


@router.post("/webhooks", response={201: WebhookCreatedOut, **WRITE_ERRORS})
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[dict[str, Any]]:
    """Register an endpoint for certificate.awarded and/or certificate.revoked.

    The answer carries the endpoint's secret, for checking the signature of each
    delivery; it is not shown again.
    """
    endpoint = webhook_endpoint_create(
        organisation=lookups.token_of(request).organisation,
        url=payload.url,
        description=payload.description,
        sends_awarded=WebhookDelivery.Event.AWARDED in payload.events,
        sends_revoked=WebhookDelivery.Event.REVOKED in payload.events,
    )
    return Status(201, {**webhook_out(endpoint), "secret": endpoint.secret})


@router.get("/webhooks", response={200: WebhookPage, **READ_ERRORS})
def list_webhooks(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    found = paginate(
        WebhookEndpoint.objects.filter(organisation_id=lookups.organisation_id(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [webhook_out(e) for e in found.items], "next_cursor": found.next_cursor}


@router.post("/webhooks/{webhook_id}/disable", response={200: WebhookOut, **WRITE_ERRORS})
def disable_webhook(request: HttpRequest, webhook_id: PathId) -> dict[str, Any]:
    """Stop sending to an endpoint."""
    return webhook_out(webhook_endpoint_disable(endpoint=_endpoint(request, webhook_id)))


@router.get("/webhooks/{webhook_id}/deliveries", response={200: DeliveryPage, **READ_ERRORS})
def list_deliveries(
    request: HttpRequest, webhook_id: PathId, page: Query[PageQuery]
) -> dict[str, Any]:
    """What was sent to an endpoint, newest last, with the outcome of the last attempt."""
    endpoint = _endpoint(request, webhook_id)
    last = Attempt.objects.filter(message_id=OuterRef("message_id")).order_by("-number")
    found = paginate(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("message")
        .annotate(
            last_status_code=Subquery(
                last.annotate(code=Cast(KT("detail__status_code"), IntegerField())).values("code")[
                    :1
                ]
            ),
            last_error=Subquery(last.values("error")[:1]),
        ),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {
        "items": [
            {
                "id": str(d.pk),
                "event_id": str(d.event_id),
                "event": d.event,
                "award_id": str(d.award_id),
                "status": d.status,
                "attempts": d.attempts,
                "next_attempt_at": d.next_attempt_at,
                "delivered_at": d.delivered_at,
                "last_status_code": getattr(d, "last_status_code", None),
                "last_error": getattr(d, "last_error", None) or "",
            }
            for d in found.items
        ],
        "next_cursor": found.next_cursor,
    }
