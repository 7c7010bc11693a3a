"""A participant's email settings: each kind of email on or off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.accounts.models import User
from laurel.notifications.models import EmailOptOut

pytestmark = pytest.mark.django_db

URL = "/me/settings/"


@pytest.fixture
def person(client):
    user = User.objects.create_user("grace@example.org", "Grace Hopper")
    client.force_login(user)
    return user


def test_url_name():
    assert reverse("participation:settings") == URL


def test_it_needs_a_sign_in(client):
    page = client.get(URL)

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:login"))


def test_every_kind_is_on_until_switched_off(client, person, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        page = client.get(URL)

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("checked") == 3
    assert "When I am awarded a certificate" in html
    assert "When I earn a badge" in html
    assert "grace@example.org" in html


def test_switching_reminders_off_and_on_again(client, person):
    page = client.post(URL, {"award": "on", "badge": "on"}, follow=True)

    assert "Your email settings are saved." in page.content.decode()
    assert list(EmailOptOut.objects.values_list("user_id", "kind", "via")) == [
        (person.pk, "reminder", "settings")
    ]
    assert page.content.decode().count("checked") == 2

    client.post(URL, {"award": "on", "badge": "on", "reminder": "on"})
    assert not EmailOptOut.objects.exists()


def test_an_unsubscribe_from_an_email_shows_here(client, person):
    EmailOptOut.objects.create(
        user=person, kind="award", via="link", created_at="2026-01-01T00:00Z"
    )

    html = client.get(URL).content.decode()

    assert html.count("checked") == 2
    inputs = {tag.split('name="')[1].split('"')[0]: tag for tag in html.split("<input")[1:]}
    assert "checked" not in inputs["award"].split(">")[0]
    assert "checked" in inputs["badge"].split(">")[0]
    assert "checked" in inputs["reminder"].split(">")[0]
