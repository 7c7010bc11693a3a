"""Signing in with an email address and password, and signing out (django-allauth's
pages, in Laurel's frame)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")


@pytest.fixture
def person():
    return User.objects.create_user(
        email="zoe@example.org", name="Zoë", password="a-long-passphrase"
    )


def test_it_shows_the_form(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()
    assert 'autocomplete="current-password"' in response.content.decode()


def test_it_logs_in_with_email_and_password(client, person):
    response = client.post(LOGIN, {"login": "ZOE@example.org", "password": "a-long-passphrase"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_says_what_is_wrong_with_a_bad_password(client, person):
    response = client.post(LOGIN, {"login": "zoe@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert 'value="zoe@example.org"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_follows_next_to_the_page_asked_for(client, person):
    response = client.post(
        LOGIN, {"login": "zoe@example.org", "password": "a-long-passphrase", "next": "/manage/"}
    )
    assert response["Location"] == "/manage/"


def test_it_sends_someone_logged_in_home(client, person):
    client.force_login(person)
    assert client.get(LOGIN)["Location"] == reverse("home")


def test_logout_by_get_only_asks_to_confirm(client, person):
    client.force_login(person)
    response = client.get(LOGOUT)
    assert response.status_code == 200
    assert "_auth_user_id" in client.session


def test_logout_logs_out(client, person):
    client.force_login(person)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get(reverse("home")).status_code == 302
