"""The admin's one list of everything sent in the background, with each attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from laurel.accounts.models import User
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_program,
    make_session,
)
from laurel.outbox.models import Message
from laurel.webhooks.models import WebhookDelivery
from laurel.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:outbox_message_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_user("staff@example.org", "Staff", is_staff=True))
    return client


def test_a_failed_email_and_a_failed_webhook_are_retried_alike_and_listed_together(
    staff_client, run_tasks, settings
):
    settings.EMAIL_BACKEND = "laurel.notifications.tests.test_tasks.RefusingBackend"
    settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = True
    program = make_program()
    # Nothing listens on port 9: the receiver cannot be reached.
    webhook_endpoint_create(organisation=program.organisation, url="http://127.0.0.1:9/hook")
    make_certificate(program, threshold=1, enabled=True)
    pairing = make_pairing(program)
    give_feedback(
        make_session(pairing), pairing.members.get(participant__role="mentee").participant
    )

    run_tasks()

    messages = Message.objects.order_by("kind")
    assert {(m.kind.rsplit(".", 1)[-1], m.status, m.attempts) for m in messages} == {
        ("send_award_email", "pending", 1),
        ("deliver_webhook", "pending", 1),
    }
    assert {m.run_after - m.tries.get().finished_at for m in messages} == {timedelta(seconds=30)}
    page = staff_client.get(CHANGELIST, {"status": "pending"}).content.decode()
    assert "send_award_email" in page
    assert "deliver_webhook" in page
    assert "mail server down" in page
    assert "ConnectionRefusedError" in page
    delivery = WebhookDelivery.objects.first()
    assert delivery is not None
    detail = staff_client.get(reverse("admin:outbox_message_change", args=[delivery.message_id]))
    assert detail.status_code == 200
    assert "Could not connect to 127.0.0.1." in detail.content.decode()
    assert staff_client.get(CHANGELIST, {"status": "pending"}).context["cl"].result_count == 4
    assert staff_client.get(CHANGELIST, {"status": "done"}).context["cl"].result_count == 0


def test_the_list_is_read_only(staff_client):
    page = staff_client.get(CHANGELIST)
    assert page.status_code == 200
    assert staff_client.get(reverse("admin:outbox_message_add")).status_code == 403


def test_people_who_are_not_staff_cannot_see_it(client):
    client.force_login(User.objects.create_user("someone@example.org", "Someone"))
    assert client.get(CHANGELIST).status_code == 302
