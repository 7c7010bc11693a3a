"""The sessions page: a participant's pairings in a program and their sessions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laurel.certificates.factories import (
    give_feedback,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.participation.selectors import SHOWN_PER_PAIRING

pytestmark = pytest.mark.django_db


def url(program) -> str:
    return reverse("participation:sessions", kwargs={"program_id": program.pk})


def test_it_redirects_anonymous_visitors_to_log_in(client, pair):
    response = client.get(url(pair.program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_rejects_post(mentee_client, pair):
    assert mentee_client.post(url(pair.program)).status_code == 405


def test_it_lists_upcoming_and_past_sessions_with_what_can_be_done(mentee_client, pair):
    upcoming = make_session(pair.pairing, status="scheduled", days_ago=-2)
    waiting = make_session(pair.pairing, days_ago=3)
    counted = make_session(pair.pairing, days_ago=10)
    give_feedback(counted, pair.mentor)
    cancelled = make_session(pair.pairing, status="cancelled", days_ago=20)

    page = mentee_client.get(url(pair.program)).content.decode()

    assert "With Grace Hopper" in page
    assert "You are the Mentee in this pairing." in page
    upcoming_part, past_part = page.split(">Past and cancelled<")
    assert f'id="session-{upcoming.pk}"' in upcoming_part
    for session in (waiting, counted, cancelled):
        assert f'id="session-{session.pk}"' in past_part
    assert reverse("participation:cancel", kwargs={"session_id": upcoming.pk}) in page
    assert reverse("participation:complete", kwargs={"session_id": upcoming.pk}) not in page
    assert reverse("participation:feedback", kwargs={"session_id": waiting.pk}) in page
    assert "Waiting for feedback" in page
    assert "Your partner gave feedback, so it counts for you both." in page
    # Nothing can be done to a cancelled session.
    for name in ("feedback", "cancel", "complete"):
        assert reverse(f"participation:{name}", kwargs={"session_id": cancelled.pk}) not in page


def test_a_session_whose_time_has_come_can_be_marked_completed(mentee_client, pair):
    started = make_session(pair.pairing, status="scheduled", days_ago=1)
    page = mentee_client.get(url(pair.program)).content.decode()
    assert reverse("participation:complete", kwargs={"session_id": started.pk}) in page
    assert reverse("participation:cancel", kwargs={"session_id": started.pk}) not in page


def test_it_is_a_404_for_someone_not_in_the_program(pair):
    other = make_participant(make_program())
    client = Client()
    client.force_login(other.user)
    assert client.get(url(pair.program)).status_code == 404


def test_it_shows_only_the_persons_own_pairings(outsider_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=-1)
    page = outsider_client.get(url(pair.program)).content.decode()
    assert "You are not paired with anyone in this program yet." in page
    assert f"session-{session.pk}" not in page
    assert "Grace Hopper" not in page


def test_it_says_how_many_earlier_sessions_are_not_shown(mentee_client, pair):
    for day in range(SHOWN_PER_PAIRING + 3):
        make_session(pair.pairing, days_ago=day + 1)
    page = mentee_client.get(url(pair.program)).content.decode()
    assert page.count('<li class="session') == SHOWN_PER_PAIRING
    assert "All 13 past sessions" in page
    assert "(3 earlier ones not shown here)" in page
    assert reverse("participation:history", kwargs={"pairing_id": pair.pairing.pk}) in page


def test_times_are_shown_in_the_chosen_time_zone(mentee_client, pair):
    make_session(
        pair.pairing, status="scheduled", starts_at=datetime(2099, 1, 15, 9, 30, tzinfo=UTC)
    )
    page = mentee_client.get(url(pair.program)).content.decode()
    assert "Times are shown in UTC." in page
    assert "Thu 15 Jan 2099, 09:30" in page

    response = mentee_client.post(
        reverse("participation:timezone"),
        {"timezone": "Asia/Tokyo", "next": url(pair.program)},
        follow=True,
    )
    page = response.content.decode()
    assert "Times are now shown in Asia/Tokyo." in page
    assert "Thu 15 Jan 2099, 18:30" in page
    assert 'value="Asia/Tokyo" selected' in page


def test_an_unknown_time_zone_is_refused(mentee_client, pair):
    response = mentee_client.post(
        reverse("participation:timezone"), {"timezone": "Mars/Olympus"}, follow=True
    )
    assert "Choose a time zone from the list." in response.content.decode()


def test_it_renders_user_text_literally(client):
    program = make_program(name="<i>Program</i>")
    me = make_participant(program)
    make_pairing(program, make_participant(program, role="mentor", name="<b>Bold</b>"), me)
    client.force_login(me.user)
    page = client.get(url(program)).content.decode()
    assert "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "&lt;i&gt;Program&lt;/i&gt;" in page


def busy_participant(pairings: int) -> tuple[Client, object]:
    program = make_program()
    me = make_participant(program)
    for _ in range(pairings):
        pairing = make_pairing(program, make_participant(program, role="mentor"), me)
        for day in range(12):
            session = make_session(pairing, days_ago=day + 1)
            if day % 2:
                give_feedback(session, me)
        make_session(pairing, status="scheduled", days_ago=-3)
    client = Client()
    client.force_login(me.user)
    return client, program


def test_its_query_count_does_not_grow_with_pairings_or_sessions(django_assert_num_queries):
    one, program_one = busy_participant(1)
    with CaptureQueriesContext(connection) as captured:
        assert one.get(url(program_one)).status_code == 200
    assert len(captured) <= 10
    three, program_three = busy_participant(3)
    with django_assert_num_queries(len(captured)):
        assert three.get(url(program_three)).status_code == 200


def test_upcoming_sessions_come_soonest_first(mentee_client, pair):
    later = make_session(pair.pairing, status="scheduled", days_ago=-9)
    sooner = make_session(pair.pairing, status="scheduled", days_ago=-2)
    page = mentee_client.get(url(pair.program)).content.decode()
    assert page.index(f"session-{sooner.pk}") < page.index(f"session-{later.pk}")
