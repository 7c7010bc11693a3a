"""Scheduling a session from the participant's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from laurel.programs.models import Session

pytestmark = pytest.mark.django_db


def url(pair) -> str:
    return reverse("participation:schedule", kwargs={"pairing_id": pair.pairing.pk})


def test_it_shows_the_form_with_a_sensible_start(mentee_client, pair):
    page = mentee_client.get(url(pair)).content.decode()
    assert "With Grace Hopper in Engineering mentoring." in page
    assert 'type="datetime-local"' in page
    assert 'value="UTC" selected' in page
    assert "data-detect-timezone" in page
    assert 'value="60"' in page


def test_it_books_a_session_in_the_chosen_time_zone(mentee_client, pair):
    response = mentee_client.post(
        url(pair),
        {"starts_at": "2099-07-01T14:30", "timezone": "Europe/Paris", "duration_minutes": "45"},
        follow=True,
    )
    session = Session.objects.get(pairing=pair.pairing)
    assert session.starts_at == datetime(2099, 7, 1, 12, 30, tzinfo=UTC)
    assert session.duration_minutes == 45
    assert session.status == "scheduled"
    assert response.redirect_chain[-1][0].endswith(
        reverse("participation:sessions", kwargs={"program_id": pair.program.pk})
        + f"#session-{session.pk}"
    )
    page = response.content.decode()
    # The choice is remembered: the page now shows times in Paris.
    assert "Session scheduled for Wed 1 Jul 2099, 14:30." in page
    assert "Wed 1 Jul 2099, 14:30" in page
    assert "data-detect-timezone" not in mentee_client.get(url(pair)).content.decode()


def test_a_session_in_the_past_can_be_logged(mentee_client, pair):
    yesterday = timezone.now() - timedelta(days=1)
    mentee_client.post(
        url(pair),
        {
            "starts_at": yesterday.strftime("%Y-%m-%dT%H:%M"),
            "timezone": "UTC",
            "duration_minutes": "60",
        },
    )
    session = Session.objects.get(pairing=pair.pairing)
    assert session.status == "scheduled"
    assert session.starts_at < timezone.now()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"starts_at": "", "timezone": "UTC", "duration_minutes": "60"},
            "starts_at",
            "Enter the date and time the session starts.",
        ),
        (
            {"starts_at": "next tuesday", "timezone": "UTC", "duration_minutes": "60"},
            "starts_at",
            "Enter a date and time, for example 2026-03-01 10:00.",
        ),
        (
            {"starts_at": "2099-03-01T10:00", "timezone": "UTC", "duration_minutes": "0"},
            "duration_minutes",
            "The duration must be between 1 and 1440 minutes.",
        ),
        (
            {"starts_at": "2099-03-01T10:00", "timezone": "UTC", "duration_minutes": "1441"},
            "duration_minutes",
            "The duration must be between 1 and 1440 minutes.",
        ),
        (
            {"starts_at": "2099-03-01T10:00", "timezone": "Mars/Base", "duration_minutes": "60"},
            "timezone",
            "Choose a time zone from the list.",
        ),
        (
            # The clocks go from 01:00 to 02:00 in London that night.
            {
                "starts_at": "2099-03-29T01:30",
                "timezone": "Europe/London",
                "duration_minutes": "60",
            },
            "starts_at",
            "01:30 does not exist in Europe/London: the clocks go forward then.",
        ),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_kept(mentee_client, pair, data, field, message):
    response = mentee_client.post(url(pair), data)
    assert response.status_code == 200
    page = response.content.decode()
    error = page.split(f'id="id_{field}_error">')[1].split("</p>")[0]
    assert message in error
    assert f'aria-describedby="id_{field}_error"' in page
    if data["starts_at"] and field != "starts_at":
        assert f'value="{data["starts_at"]}"' in page
    if field != "duration_minutes":
        assert f'value="{data["duration_minutes"]}"' in page
    assert not Session.objects.exists()


def test_the_first_of_two_repeated_times_is_taken(mentee_client, pair):
    # The clocks go back from 02:00 to 01:00 in London that night: 01:30 happens twice.
    mentee_client.post(
        url(pair),
        {"starts_at": "2099-10-25T01:30", "timezone": "Europe/London", "duration_minutes": "60"},
    )
    assert Session.objects.get().starts_at == datetime(2099, 10, 25, 0, 30, tzinfo=UTC)


def test_it_is_a_404_for_someone_outside_the_pairing(outsider_client, pair):
    assert outsider_client.get(url(pair)).status_code == 404
    response = outsider_client.post(
        url(pair), {"starts_at": "2099-03-01T10:00", "timezone": "UTC", "duration_minutes": "60"}
    )
    assert response.status_code == 404
    assert not Session.objects.exists()


def test_it_redirects_anonymous_visitors_to_log_in(client, pair):
    response = client.get(url(pair))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_its_query_count_is_bounded(mentee_client, pair, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert mentee_client.get(url(pair)).status_code == 200
    with django_assert_max_num_queries(12):
        mentee_client.post(
            url(pair),
            {"starts_at": "2099-03-01T10:00", "timezone": "UTC", "duration_minutes": "60"},
        )
