"""Giving, changing and withdrawing feedback on a session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.certificates.factories import give_feedback, make_certificate, make_session
from laurel.certificates.models import IssuedCertificate, Progress
from laurel.programs.models import Feedback, Session

pytestmark = pytest.mark.django_db


def url(session: Session, name: str = "feedback") -> str:
    return reverse(f"participation:{name}", kwargs={"session_id": session.pk})


def counting(pair) -> int:
    return Progress.objects.get(program=pair.program, user=pair.mentee.user).sessions_counting


def test_it_shows_the_form_for_a_completed_session(mentee_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    page = mentee_client.get(url(session)).content.decode()
    assert "Feedback on your session" in page
    assert "Grace Hopper" in page
    assert page.count('type="radio" name="rating"') == 4
    assert "Send feedback" in page


def test_feedback_is_recorded_and_the_session_counts(mentee_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    response = mentee_client.post(url(session), {"rating": "3", "comment": "Helpful."})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    feedback = Feedback.objects.get(session=session)
    assert (feedback.author_id, feedback.rating, feedback.comment) == (
        pair.mentee.pk,
        3,
        "Helpful.",
    )
    assert counting(pair) == 1
    page = mentee_client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback. This session now counts for you both." in page


def test_feedback_that_crosses_a_threshold_awards_and_says_so(mentee_client, pair):
    make_certificate(pair.program, threshold=2, enabled=True, name="Two Sessions Certificate")
    give_feedback(make_session(pair.pairing, days_ago=9), pair.mentor)
    session = make_session(pair.pairing, days_ago=2)

    response = mentee_client.post(url(session), {"rating": "4"}, follow=True)

    award = IssuedCertificate.objects.get(user=pair.mentee.user)
    assert award.name == "Two Sessions Certificate"
    page = response.content.decode()
    assert "It completed a certificate: you earned" in page
    link = reverse("verification:page", args=[award.public_id])
    assert f'<a href="{link}">Two Sessions Certificate</a>' in page
    assert "Earned certificates" in page
    # The partner earned it too; the message is the member's own.
    assert IssuedCertificate.objects.filter(user=pair.mentor.user).exists()


def test_it_goes_back_to_the_page_it_came_from(mentee_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    back = reverse("participation:sessions", kwargs={"program_id": pair.program.pk})
    response = mentee_client.post(url(session), {"rating": "4", "next": back})
    assert response["Location"] == back
    response = mentee_client.post(
        url(make_session(pair.pairing, days_ago=1)), {"rating": "4", "next": "//evil.example/"}
    )
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        ("5", "The rating must be a whole number from 1 to 4."),
        ("0", "The rating must be a whole number from 1 to 4."),
        ("", "Choose a rating from 1 to 4."),
        ("four", "Choose a rating from 1 to 4."),
    ],
)
def test_a_rating_outside_one_to_four_is_refused_next_to_the_field(
    mentee_client, pair, rating, message
):
    session = make_session(pair.pairing, days_ago=2)
    response = mentee_client.post(url(session), {"rating": rating, "comment": "Kept <as typed>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page.split('id="id_rating_error">')[1].split("</p>")[0]
    assert "Kept &lt;as typed&gt;</textarea>" in page
    assert not Feedback.objects.exists()


def test_a_cancelled_session_cannot_get_feedback(mentee_client, pair):
    session = make_session(pair.pairing, status="cancelled", days_ago=-1)
    refusal = "This session was cancelled; feedback is only for sessions that took place."
    page = mentee_client.get(url(session)).content.decode()
    assert refusal in page
    assert 'name="rating"' not in page
    response = mentee_client.post(url(session), {"rating": "4"})
    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_session_that_has_not_started_cannot_get_feedback(mentee_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=-1)
    response = mentee_client.post(url(session), {"rating": "4"})
    assert "This session has not started yet; give feedback once it has." in (
        response.content.decode()
    )
    assert not Feedback.objects.exists()


def test_feedback_on_a_booked_session_whose_time_has_passed_completes_it(mentee_client, pair):
    session = make_session(pair.pairing, status="scheduled", days_ago=2)
    mentee_client.post(url(session), {"rating": "4"})
    assert Session.objects.get(pk=session.pk).status == "completed"
    assert counting(pair) == 1


def test_someone_outside_the_pairing_gets_a_404(outsider_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    assert outsider_client.get(url(session)).status_code == 404
    assert outsider_client.post(url(session), {"rating": "4"}).status_code == 404
    assert outsider_client.post(url(session, "feedback_withdraw")).status_code == 404
    assert not Feedback.objects.exists()


def test_own_feedback_can_be_changed(mentee_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    give_feedback(session, pair.mentee, rating=2, comment="<b>so-so</b>")
    page = mentee_client.get(url(session)).content.decode()
    assert "Change your feedback" in page
    assert 'value="2" id="id_rating_1" required checked' in page
    assert "&lt;b&gt;so-so&lt;/b&gt;</textarea>" in page

    mentee_client.post(url(session), {"rating": "4", "comment": "Better on reflection."})

    feedback = Feedback.objects.get(session=session)
    assert (feedback.rating, feedback.comment) == (4, "Better on reflection.")
    assert counting(pair) == 1


def test_own_feedback_can_be_withdrawn(mentee_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    give_feedback(session, pair.mentee)
    assert counting(pair) == 1
    response = mentee_client.post(url(session, "feedback_withdraw"), follow=True)
    assert not Feedback.objects.exists()
    assert counting(pair) == 0
    assert "Your feedback is withdrawn." in response.content.decode()


def test_the_partners_feedback_is_not_the_members_to_change(mentee_client, pair):
    session = make_session(pair.pairing, days_ago=2)
    give_feedback(session, pair.mentor, rating=1)
    page = mentee_client.get(url(session)).content.decode()
    assert "Feedback on your session" in page
    assert "Withdraw my feedback" not in page
    mentee_client.post(url(session, "feedback_withdraw"))
    assert Feedback.objects.get().author_id == pair.mentor.pk


def test_its_query_count_is_bounded(mentee_client, pair, django_assert_max_num_queries):
    make_certificate(pair.program, threshold=1, enabled=True)
    session = make_session(pair.pairing, days_ago=2)
    with django_assert_max_num_queries(7):
        assert mentee_client.get(url(session)).status_code == 200
    with django_assert_max_num_queries(25):
        assert mentee_client.post(url(session), {"rating": "4"}).status_code == 302
