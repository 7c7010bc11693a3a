"""django-allauth's emails (password reset, sign-in code) go through the outbox, and
people added without a password can use them; nobody can sign up on their own."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from laurel.accounts.models import User
from laurel.outbox.models import Message

pytestmark = pytest.mark.django_db


def found(pattern: str, text: object, flags: int = 0) -> str:
    match = re.search(pattern, str(text), flags)
    assert match is not None, f"{pattern!r} not in {text!r}"
    return match.group(1)


@pytest.fixture
def passwordless():
    # As the API and the CSV import add people: no password.
    return User.objects.create_user(email="zoe@example.org", name="Zoë")


def test_a_password_reset_email_is_queued_then_sent_by_the_worker(client, passwordless, run_tasks):
    response = client.post(reverse("account_reset_password"), {"email": "ZOE@example.org"})
    assert response.status_code == 302
    [message] = Message.objects.filter(kind__endswith="send_account_email")
    assert message.arguments["kwargs"]["to"] == ["zoe@example.org"]
    assert mail.outbox == []

    run_tasks()

    [email] = mail.outbox
    link = found(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", email.body)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    passwordless.refresh_from_db()
    assert passwordless.check_password("a-new-long-passphrase")


def test_a_sign_in_code_reaches_someone_without_a_password(client, passwordless, run_tasks):
    response = client.post(reverse("account_request_login_code"), {"email": "zoe@example.org"})
    assert response.status_code == 302
    run_tasks()
    [email] = mail.outbox
    assert email.body.startswith("Hello from Laurel,")
    code = found(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", email.body, re.MULTILINE)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(passwordless.pk)


def test_nobody_can_sign_up(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "long-pass-123", "password2": "long-pass-123"},
    )
    assert not User.objects.filter(email="new@example.org").exists()
    assert response.status_code in {200, 403}


def test_the_outbox_admin_hides_what_signs_someone_in(client, passwordless, run_tasks):
    client.post(reverse("account_reset_password"), {"email": "zoe@example.org"})
    message = Message.objects.get(kind__endswith="send_account_email")
    staff = User.objects.create_superuser(email="staff@example.org", name="Staff")
    client.force_login(staff)
    page = client.get(reverse("admin:outbox_message_change", args=[message.pk])).content.decode()
    assert "zoe@example.org" in page
    assert "(hidden)" in page
    assert "/accounts/password/reset/key/" not in page


def test_sign_in_codes_for_one_address_are_limited_in_the_shared_cache(client, passwordless):
    # allauth's own limit (3 a minute per address), counted in the database cache so that
    # every process counts together.
    responses = [
        Client().post(reverse("account_request_login_code"), {"email": "zoe@example.org"})
        for _ in range(5)
    ]
    assert [r.status_code for r in responses[:3]] == [302, 302, 302]
    for refused in responses[3:]:
        assert refused.status_code == 200
        assert "Too many" in refused.content.decode()
    assert Message.objects.filter(kind__endswith="send_account_email").count() == 3
