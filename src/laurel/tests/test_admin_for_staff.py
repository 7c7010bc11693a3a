"""Django's admin is for the platform's staff: an organisation's admins never get in, and
secrets (webhook secrets after creation, two-factor keys) are never shown."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from laurel.accounts.models import User
from laurel.outbox.admin import ReadOnlyForStaff
from laurel.programs.factories import make_organisation
from laurel.webhooks.models import WebhookEndpoint
from laurel.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for model in admin.site._registry
]


def test_every_admin_page_turns_away_an_organisation_admin_who_is_not_staff(client):
    organisation = make_organisation("Northwind")
    person = User.objects.create_user(email="ada@example.org", name="Ada")
    person.user_permissions.add(*Permission.objects.all())
    organisation.admins.add(person)
    client.force_login(person)
    assert len(CHANGELISTS) > 15
    for url in [reverse("admin:index"), *CHANGELISTS]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_without_permissions_see_only_the_outbox_read_only(client):
    staff = User.objects.create_user(email="s@example.org", name="S", is_staff=True)
    client.force_login(staff)
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if isinstance(model_admin, ReadOnlyForStaff):
            # Delivery's record (messages, attempts, schedules) is for every staff member.
            assert client.get(url).status_code == 200, url
            assert not model_admin.has_add_permission(client.get(url).wsgi_request)
        else:
            assert client.get(url).status_code == 403, url


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser(email="root@example.org", name="Root"))
    return client


def test_a_webhook_secret_is_shown_once_when_made_and_never_after(superuser_client, settings):
    settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = False
    organisation = make_organisation("Northwind")
    response = superuser_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"organisation": organisation.pk, "url": "https://hooks.example.org/laurel",
         "description": "", "sends_awarded": "on", "sends_revoked": "on"},
        follow=True,
    )  # fmt: skip
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    change = superuser_client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    ).content.decode()
    assert endpoint.secret not in change
    listing = superuser_client.get(
        reverse("admin:webhooks_webhookendpoint_changelist")
    ).content.decode()
    assert endpoint.secret not in listing


def test_an_endpoint_made_elsewhere_never_shows_its_secret(superuser_client):
    endpoint = webhook_endpoint_create(
        organisation=make_organisation("Northwind"), url="https://hooks.example.org/x",
        description="", sends_awarded=True, sends_revoked=True,
    )  # fmt: skip
    page = superuser_client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    ).content.decode()
    assert endpoint.secret not in page


def test_two_factor_devices_show_no_secret(superuser_client):
    from allauth.mfa.models import Authenticator

    user = User.objects.create_user(email="z@example.org", name="Z")
    device = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    page = superuser_client.get(
        reverse("admin:mfa_authenticator_change", args=[device.pk])
    ).content.decode()
    assert "JBSWY3DPEHPK3PXP" not in page
    assert superuser_client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
