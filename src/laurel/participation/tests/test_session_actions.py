"""Marking a session completed and cancelling one, from the sessions page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.certificates.factories import make_session
from laurel.certificates.models import Progress
from laurel.programs.models import Session

pytestmark = pytest.mark.django_db


def url(action: str, session: Session) -> str:
    return reverse(f"participation:{action}", kwargs={"session_id": session.pk})


def sessions_url(pair) -> str:
    return reverse("participation:sessions", kwargs={"program_id": pair.program.pk})


def status(session: Session) -> str:
    return Session.objects.get(pk=session.pk).status


def test_a_started_session_is_marked_completed(mentee_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=1)
    response = mentee_client.post(url("complete", session), follow=True)
    assert status(session) == "completed"
    assert response.redirect_chain[-1][0].endswith(f"{sessions_url(pair)}#session-{session.pk}")
    page = response.content.decode()
    assert "is completed. Give your feedback so that it counts." in page
    # Both members have one completed session, not yet counting.
    progress = Progress.objects.get(program=pair.program, user=pair.mentor.user)
    assert (progress.sessions_completed, progress.sessions_counting) == (1, 0)
    assert url("feedback", session) in page


def test_a_future_session_cannot_be_completed(mentee_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=-1)
    response = mentee_client.post(url("complete", session), follow=True)
    assert status(session) == "scheduled"
    page = response.content.decode()
    assert "This session has not started yet; complete it once it has." in page
    assert 'role="alert"' in page


def test_a_cancelled_session_cannot_be_completed(mentee_client, pair):
    session = make_session(pair.pairing, status="cancelled", days_ago=-1)
    response = mentee_client.post(url("complete", session), follow=True)
    assert status(session) == "cancelled"
    assert "a cancelled session cannot be completed" in response.content.decode()


def test_a_future_session_is_cancelled(mentee_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=-1)
    response = mentee_client.post(url("cancel", session), follow=True)
    assert status(session) == "cancelled"
    assert "is cancelled." in response.content.decode()


def test_a_completed_session_cannot_be_cancelled(mentee_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    response = mentee_client.post(url("cancel", session), follow=True)
    assert status(session) == "completed"
    assert (
        "This session is completed; completion is final and cannot be cancelled."
        in response.content.decode()
    )


def test_a_session_whose_time_has_passed_cannot_be_cancelled(mentee_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=2)
    response = mentee_client.post(url("cancel", session), follow=True)
    assert status(session) == "scheduled"
    assert "This session&#x27;s booked time has passed" in response.content.decode()


@pytest.mark.parametrize("action", ["complete", "cancel"])
def test_someone_outside_the_pairing_gets_a_404_and_changes_nothing(outsider_client, pair, action):
    started = make_session(
        pair.pairing, status="scheduled", days_ago=-1 if action == "cancel" else 1
    )
    assert outsider_client.post(url(action, started)).status_code == 404
    assert status(started) == "scheduled"


@pytest.mark.parametrize("action", ["complete", "cancel"])
def test_it_rejects_get(mentee_client, pair, action):
    session = make_session(pair.pairing, status="scheduled", days_ago=-1)
    assert mentee_client.get(url(action, session)).status_code == 405


def test_it_goes_back_only_to_its_own_pages(mentee_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=-1)
    response = mentee_client.post(url("cancel", session), {"next": "https://evil.example/"})
    assert response["Location"] == f"{sessions_url(pair)}#session-{session.pk}"


def test_its_query_count_is_bounded(mentee_client, pair, django_assert_max_num_queries):
    session = make_session(pair.pairing, status="scheduled", days_ago=1)
    # Three of them move the badges' tallies and look for a badge now due.
    with django_assert_max_num_queries(19):
        mentee_client.post(url("complete", session))
