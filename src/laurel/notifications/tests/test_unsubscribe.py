"""The unsubscribe link: no sign-in, GET asks, POST switches the emails off."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from laurel.accounts.models import User
from laurel.notifications.models import EmailOptOut
from laurel.notifications.services import unsubscribe_token, unsubscribe_token_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return User.objects.create_user("grace@example.org", "Grace Hopper")


def url_for(user, kind: str) -> str:
    return reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk, kind=kind)]
    )


def test_get_shows_what_the_link_does_and_changes_nothing(
    client, person, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        page = client.get(url_for(person, "reminder"))

    assert page.status_code == 200
    assert "Stop feedback reminders?" in page.content.decode()
    assert b'<button type="submit"' in page.content
    assert not EmailOptOut.objects.exists()


def test_post_switches_that_kind_off_without_a_session_or_csrf_token(person):
    signed_out = Client(enforce_csrf_checks=True)

    page = signed_out.post(url_for(person, "reminder"))
    again = signed_out.post(url_for(person, "reminder"))

    assert page.status_code == again.status_code == 200
    assert "You are unsubscribed" in page.content.decode()
    assert list(EmailOptOut.objects.values_list("user_id", "kind", "via")) == [
        (person.pk, "reminder", "link")
    ]


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "WzEsImF3YXJkIl0:forged-signature-forged-signature-forged-sig",
        "",
    ],
)
def test_a_token_that_is_not_ours_is_refused_plainly(client, person, token):
    if not token:
        token = unsubscribe_token(user_id=person.pk, kind="award")[:-4]
    page = client.post(reverse("notifications:unsubscribe", args=[token]))

    assert page.status_code == 404
    assert "This unsubscribe link is not recognised" in page.content.decode()
    assert not EmailOptOut.objects.exists()


def test_a_token_names_one_person_and_one_kind(person):
    assert unsubscribe_token_read(unsubscribe_token(user_id=person.pk, kind="award")) == (
        person.pk,
        "award",
    )
    with pytest.raises(ValueError, match="everything"):
        unsubscribe_token(user_id=person.pk, kind="everything")
