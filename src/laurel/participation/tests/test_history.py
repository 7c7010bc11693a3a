"""A pairing's whole history of sessions, a page at a time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.certificates.factories import give_feedback, make_session
from laurel.participation.selectors import HISTORY_PAGE_SIZE

pytestmark = pytest.mark.django_db


def url(pair) -> str:
    return reverse("participation:history", kwargs={"pairing_id": pair.pairing.pk})


def test_it_pages_through_every_session_latest_first(mentee_client, pair):
    sessions = [
        make_session(pair.pairing, days_ago=day + 1) for day in range(HISTORY_PAGE_SIZE + 2)
    ]
    give_feedback(sessions[-1], pair.mentee)

    first = mentee_client.get(url(pair)).content.decode()
    assert "All sessions with Grace Hopper" in first
    assert f"{HISTORY_PAGE_SIZE + 2} sessions, latest first." in first
    assert first.count('<li class="session') == HISTORY_PAGE_SIZE
    assert first.index(f"session-{sessions[0].pk}") < first.index(f"session-{sessions[1].pk}")
    assert "Page 1 of 2" in first

    second = mentee_client.get(url(pair), {"page": 2}).content.decode()
    assert second.count('<li class="session') == 2
    # The oldest, with the member's own feedback, can still be changed from here.
    assert reverse("participation:feedback", kwargs={"session_id": sessions[-1].pk}) in second
    assert "You rated it 4 of 4." in second


def test_a_page_number_out_of_range_shows_the_last_page(mentee_client, pair):
    make_session(pair.pairing)
    response = mentee_client.get(url(pair), {"page": "99"})
    assert response.status_code == 200
    assert response.content.decode().count('<li class="session') == 1


def test_it_is_a_404_for_someone_outside_the_pairing(outsider_client, pair):
    assert outsider_client.get(url(pair)).status_code == 404


def test_its_query_count_is_bounded(mentee_client, pair, django_assert_max_num_queries):
    for day in range(HISTORY_PAGE_SIZE + 5):
        make_session(pair.pairing, days_ago=day + 1)
    # One of them asks whether the header shows the console link.
    with django_assert_max_num_queries(8):
        assert mentee_client.get(url(pair)).status_code == 200
