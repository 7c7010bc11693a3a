"""Webhook endpoints over HTTP."""

from __future__ import annotations

from laurel.api.tests.conftest import problem
from laurel.api.tests.helpers import (
    add_participant,
    counted_sessions,
    create_certificate,
    create_program,
    pair,
)
from laurel.webhooks.models import WebhookDelivery, WebhookEndpoint
from laurel.webhooks.services import webhooks_queue


def test_it_registers_lists_and_disables_endpoints(api):
    response = api.post(
        "/webhooks", {"url": "https://hooks.example.org/laurel", "events": ["certificate.awarded"]}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["certificate.awarded"]
    listed = api.get("/webhooks").json()["items"]
    assert listed == [{k: v for k, v in created.items() if k != "secret"}]
    disabled = api.post(f"/webhooks/{created['id']}/disable")
    assert disabled.json()["active"] is False


def test_an_endpoint_must_be_https(api):
    body = problem(api.post("/webhooks", {"url": "http://hooks.example.org/"}), 422)
    assert "url" in body["errors"]
    assert (
        "events"
        in problem(api.post("/webhooks", {"url": "https://a.example", "events": []}), 422)["errors"]
    )


def test_deliveries_are_listed_with_their_outcome(api, organisation):
    program = create_program(api)
    mentor = add_participant(api, program["id"], "Grace Hopper", "mentor")
    mentee = add_participant(api, program["id"], "Ada Lovelace")
    counted_sessions(api, pair(api, program["id"], mentor, mentee), mentee, 1)
    certificate = create_certificate(api, program["id"], threshold=1)
    hook = api.post("/webhooks", {"url": "https://hooks.example.org/laurel"}).json()
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    awards = api.get(f"/certificates/{certificate['id']}/awards").json()["items"]
    webhooks_queue(award_ids=[int(a["id"]) for a in awards], event="certificate.awarded")

    items = api.get(f"/webhooks/{hook['id']}/deliveries").json()["items"]

    assert sorted(i["award_id"] for i in items) == sorted(a["id"] for a in awards)
    assert {(i["status"], i["attempts"], i["last_status_code"]) for i in items} == {
        ("pending", 0, None)
    }


def test_another_organisations_endpoints_are_not_found(api, other_api):
    hook = api.post("/webhooks", {"url": "https://hooks.example.org/laurel"}).json()
    problem(other_api.post(f"/webhooks/{hook['id']}/disable"), 404)
    problem(other_api.get(f"/webhooks/{hook['id']}/deliveries"), 404)
    assert other_api.get("/webhooks").json()["items"] == []
    assert WebhookEndpoint.objects.get().is_active


def test_awards_and_revocations_queue_deliveries_in_their_transaction(api):
    program = create_program(api)
    mentor = add_participant(api, program["id"], "Grace Hopper", "mentor")
    mentee = add_participant(api, program["id"], "Ada Lovelace")
    counted_sessions(api, pair(api, program["id"], mentor, mentee), mentee, 1)
    certificate = create_certificate(api, program["id"], threshold=1)
    api.post("/webhooks", {"url": "https://hooks.example.org/laurel"})

    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    award = api.get(f"/certificates/{certificate['id']}/awards").json()["items"][0]
    api.post(f"/awards/{award['id']}/revoke", {"reason": "Mistake"})

    events = sorted(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == ["certificate.awarded"] * 2 + ["certificate.revoked"]
