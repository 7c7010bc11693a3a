"""Outgoing webhooks: queued with the award, signed, retried, and their attempts kept."""

from __future__ import annotations

import itertools
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import award_reinstate, award_revoke
from laurel.errors import InvalidInput
from laurel.outbox.models import Attempt, Message
from laurel.webhooks import sending as webhook_sending
from laurel.webhooks.models import WebhookDelivery
from laurel.webhooks.services import webhook_endpoint_create, webhooks_queue

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[4] / "README.md"


class LocalServer:
    """An HTTP server on this machine, in a thread, with the given handler."""

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = HTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Receiver(LocalServer):
    """A webhook receiver on this machine that answers with a chosen status."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.serve(Handler)


@pytest.fixture
def receiver(settings):
    # The receiver listens on this machine, which only development settings allow.
    settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = True
    server = Receiver()
    yield server
    server.close()


def attempts_of(delivery: WebhookDelivery) -> list[Attempt]:
    """Every attempt at ``delivery``, kept by the outbox."""
    return list(Attempt.objects.filter(message_id=delivery.message_id).order_by("number"))


def awarded_program():
    """A program whose certificate was awarded to a pair; the mentee's award alone."""
    program = make_program()
    make_certificate(program, threshold=1, enabled=True)
    pairing = make_pairing(program)
    mentee = pairing.members.get(participant__role="mentee").participant
    give_feedback(make_session(pairing), mentee)
    return program, IssuedCertificate.objects.filter(program=program, user_id=mentee.user_id)


def readme_verifier():
    """The signature check exactly as the README shows it."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Verifying a signature", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found is not None
    code = found.group(1)
    namespace: dict[str, object] = {}
    exec(code, namespace)  # noqa: S102 - our own README
    return namespace["verify"]


def test_an_award_is_delivered_signed_and_the_readme_code_verifies_it(receiver, run_tasks):
    program, awards = awarded_program()
    endpoint = webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    award = awards.get()
    with transaction.atomic():
        assert webhooks_queue(award_ids=[award.pk], event="certificate.awarded") == 1

    run_tasks()

    [(headers, body)] = receiver.received
    verify = readme_verifier()
    assert verify(endpoint.secret, headers, body) is True
    assert verify("whsec_wrong", headers, body) is False
    assert verify(endpoint.secret, headers, body + b" ") is False
    payload = json.loads(body)
    assert payload["type"] == "certificate.awarded"
    assert payload["data"]["award"]["id"] == str(award.pk)
    assert payload["data"]["award"]["public_url"].endswith(f"/c/{award.public_id}")
    assert headers["Laurel-Event"] == "certificate.awarded"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    [attempt] = attempts_of(delivery)
    assert attempt.detail["status_code"] == 200


def test_a_stale_timestamp_does_not_verify(receiver, run_tasks):
    program, awards = awarded_program()
    endpoint = webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")
    run_tasks()
    [(headers, body)] = receiver.received
    verify = readme_verifier()
    old = {**headers, "Laurel-Timestamp": str(int(headers["Laurel-Timestamp"]) - 3600)}
    assert verify(endpoint.secret, old, body) is False


def test_a_revocation_is_delivered(receiver, run_tasks):
    program, awards = awarded_program()
    webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    award = awards.get()
    with transaction.atomic():
        revoked = award_revoke(award=award, by=None, reason="Mistake")
        webhooks_queue(award_ids=[revoked.pk], event="certificate.revoked")
    run_tasks()
    [(_, body)] = receiver.received
    payload = json.loads(body)
    assert payload["type"] == "certificate.revoked"
    assert payload["data"]["award"]["status"] == "revoked"


def test_a_certificate_revoked_again_after_reinstating_is_reported_again(receiver, run_tasks):
    program, awards = awarded_program()
    webhook_endpoint_create(
        organisation=program.organisation, url=receiver.url, sends_awarded=False
    )
    award = awards.get()

    award_revoke(award=award, by=None, reason="Mistake")
    # The API publishes no event for a reinstatement.
    award_reinstate(award=award, by=None, reason="It was right")
    award_revoke(award=award, by=None, reason="Wrong after all")
    run_tasks()

    bodies = [json.loads(body) for _, body in receiver.received]
    assert [b["type"] for b in bodies] == ["certificate.revoked", "certificate.revoked"]
    assert len({b["id"] for b in bodies}) == 2
    assert list(
        WebhookDelivery.objects.order_by("occurrence").values_list("occurrence", flat=True)
    ) == [1, 2]


def test_nothing_is_queued_when_the_change_rolls_back(receiver):
    program, awards = awarded_program()
    webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    tasks_before = Message.objects.count()
    award_id = awards.get().pk

    def award_then_fail() -> None:
        with transaction.atomic():
            webhooks_queue(award_ids=[award_id], event="certificate.awarded")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        award_then_fail()
    assert not WebhookDelivery.objects.exists()
    assert Message.objects.count() == tasks_before


def test_an_event_is_queued_once_per_endpoint(receiver):
    program, awards = awarded_program()
    webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    webhook_endpoint_create(
        organisation=program.organisation, url=receiver.url + "/revocations", sends_awarded=False
    )
    award_id = awards.get().pk
    assert webhooks_queue(award_ids=[award_id], event="certificate.awarded") == 1
    webhooks_queue(award_ids=[award_id], event="certificate.awarded")
    assert WebhookDelivery.objects.count() == 1


def test_other_organisations_endpoints_hear_nothing(receiver):
    _, awards = awarded_program()
    other, _ = awarded_program()
    webhook_endpoint_create(organisation=other.organisation, url=receiver.url)
    assert webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded") == 0


def test_a_failed_delivery_is_retried_with_growing_waits_then_given_up(run_tasks, settings):
    max_attempts = settings.OUTBOX_MAX_ATTEMPTS
    longest_wait = timedelta(seconds=settings.OUTBOX_RETRY_MAX_DELAY_SECONDS)
    failing = Receiver(status=503)
    try:
        program, awards = awarded_program()
        webhook_endpoint_create(organisation=program.organisation, url=failing.url)
        webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")
        delivery = WebhookDelivery.objects.get()
        waits = []
        now = timezone.now()
        for _ in range(max_attempts):
            run_tasks(now=now)
            after = WebhookDelivery.objects.select_related("message").get(pk=delivery.pk)
            status = after.status
            if status == "pending":
                waits.append(after.next_attempt_at - now)
                now = after.next_attempt_at
        assert status == "failed"
        assert len(failing.received) == max_attempts
        assert waits[0] == timedelta(seconds=30)
        assert all(b == min(2 * a, longest_wait) for a, b in itertools.pairwise(waits))
        attempts = attempts_of(delivery)
        assert [a.number for a in attempts] == list(range(1, max_attempts + 1))
        assert {a.detail["status_code"] for a in attempts} == {503}
        assert after.attempts == max_attempts  # one message, tried again after each failure
    finally:
        failing.close()


def test_a_delivery_not_yet_due_is_not_sent(receiver, run_tasks):
    program, awards = awarded_program()
    webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")
    delivery = WebhookDelivery.objects.get()
    early = delivery.next_attempt_at - timedelta(minutes=1)
    run_tasks(now=early)
    assert WebhookDelivery.objects.get().status == "pending"
    assert receiver.received == []


def test_a_claimed_delivery_is_not_sent_twice(receiver, run_tasks):
    program, awards = awarded_program()
    webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")
    delivery = WebhookDelivery.objects.get()
    Message.objects.filter(pk=delivery.message_id).update(
        status="running",
        worker_id="another-worker",
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    run_tasks()
    assert WebhookDelivery.objects.get().status == "pending"
    assert receiver.received == []
    # Its worker died: once the lease ran out, another worker sends it, once.
    run_tasks(now=timezone.now() + timedelta(minutes=5))
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == "delivered"


def test_endpoints_must_use_https(db):
    program = make_program()
    with pytest.raises(InvalidInput, match="https"):
        webhook_endpoint_create(organisation=program.organisation, url="http://example.org/h")
    with pytest.raises(InvalidInput, match="not a URL"):
        webhook_endpoint_create(organisation=program.organisation, url="https:// nope")
    endpoint = webhook_endpoint_create(
        organisation=program.organisation, url="https://hooks.example.org/laurel"
    )
    assert endpoint.secret.startswith("whsec_")


class RawReceiver(LocalServer):
    """A receiver on this machine that answers every request with the given bytes."""

    def __init__(self, answer: bytes) -> None:
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests += 1
                self.wfile.write(answer)
                self.close_connection = True

            def do_GET(self) -> None:
                receiver.requests += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"a page, not the receiver")

            def log_message(self, *args: object) -> None:
                pass

        self.serve(Handler)


def test_a_malformed_answer_is_recorded_as_a_failed_attempt(run_tasks):
    broken = RawReceiver(b"this is not HTTP\r\n\r\n")
    try:
        program, awards = awarded_program()
        webhook_endpoint_create(organisation=program.organisation, url=broken.url)
        webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")

        run_tasks()

        delivery = WebhookDelivery.objects.select_related("message").get()
        assert delivery.status == "pending"
        assert (delivery.attempts, delivery.message.lease_until) == (1, None)
        [attempt] = attempts_of(delivery)
        assert attempt.detail["status_code"] is None
        assert attempt.error
    finally:
        broken.close()


def test_a_redirect_is_not_counted_as_delivered(run_tasks):
    moved = RawReceiver(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
    try:
        program, awards = awarded_program()
        webhook_endpoint_create(organisation=program.organisation, url=moved.url)
        webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")

        run_tasks()

        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending"
        assert moved.requests == 1  # the redirect was not followed
        [attempt] = attempts_of(delivery)
        assert attempt.detail["status_code"] == 302
    finally:
        moved.close()


def test_a_send_that_outlasted_its_claim_records_no_attempt(receiver, monkeypatch, run_tasks):
    program, awards = awarded_program()
    webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")
    delivery = WebhookDelivery.objects.get()
    real_post = webhook_sending.webhook_post

    def slow_post(url, body, headers):
        answer = real_post(url=url, body=body, headers=headers)
        # Meanwhile the lease ran out and another worker took the delivery over.
        Message.objects.filter(pk=delivery.message_id).update(
            worker_id="another-worker", lease_until=timezone.now() + timedelta(minutes=9)
        )
        return answer

    monkeypatch.setattr(webhook_sending, "webhook_post", slow_post)

    run_tasks()

    assert WebhookDelivery.objects.get().status == "pending"
    assert len(receiver.received) == 1
    assert attempts_of(delivery) == []
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 0


@pytest.mark.parametrize("url", ["https://10.1.2.3/hook", "https://169.254.169.254/latest"])
def test_an_internal_address_is_refused_outside_development(db, settings, url):
    settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = False
    program = make_program()
    with pytest.raises(InvalidInput, match="internal address"):
        webhook_endpoint_create(organisation=program.organisation, url=url)


def test_a_host_that_resolves_to_an_internal_address_is_not_sent_to(receiver, settings, run_tasks):
    program, awards = awarded_program()
    webhook_endpoint_create(organisation=program.organisation, url=receiver.url)
    settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = False
    webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")

    run_tasks()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert receiver.received == []
    [attempt] = attempts_of(delivery)
    assert "internal address" in attempt.error
