"""The program's certificates page: definitions, summary figures and the progress report."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laurel.accounts.models import User
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import award_revoke

pytestmark = pytest.mark.django_db


def url(program) -> str:
    return reverse("certificates:program_certificates", args=[program.pk])


def admin_of(organisation) -> User:
    admin = User.objects.create_user(email=f"admin{organisation.pk}@example.org", name="Admin")
    organisation.admins.add(admin)
    return admin


@pytest.fixture
def program():
    return make_program(make_organisation("Northwind"), name="Engineering")


@pytest.fixture
def admin_client(client, program):
    client.force_login(admin_of(program.organisation))
    return client


def test_it_redirects_anonymous_visitors_to_log_in(client, program):
    response = client.get(url(program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_404s_for_another_organisation(client, program):
    other = make_organisation("Other")
    client.force_login(admin_of(other))
    assert client.get(url(program)).status_code == 404


def test_it_404s_for_a_participant_of_the_program(client, program):
    participant = make_participant(program)
    client.force_login(participant.user)
    assert client.get(url(program)).status_code == 404


def test_it_404s_for_a_program_that_does_not_exist(admin_client, program):
    response = admin_client.get(
        reverse("certificates:program_certificates", args=[program.pk + 1000])
    )
    assert response.status_code == 404


def test_it_rejects_post(admin_client, program):
    assert admin_client.post(url(program)).status_code == 405


def test_it_shows_definitions_with_state_and_rule(admin_client, program):
    make_certificate(program, threshold=3, enabled=True, name="Mentorship Certificate")
    make_certificate(program, threshold=8, enabled=False, name="Advanced")
    page = admin_client.get(url(program)).content.decode()
    assert "Mentorship Certificate" in page
    assert "Automatic: awarded at 3 counting sessions." in page
    assert "Advanced" in page
    assert "Automatic: awarded at 8 counting sessions." in page
    assert "Enabled" in page
    assert "Disabled" in page


def test_it_shows_manual_certificates_with_their_guidance(admin_client):
    organisation = make_organisation()
    development = make_program(organisation, kind="development")
    admin_client.force_login(admin_of(organisation))
    make_certificate(
        development, threshold=None, enabled=True, name="Leadership", guidance="Finish modules."
    )
    page = admin_client.get(url(development)).content.decode()
    assert "Manual: awarded by an admin." in page
    assert "Finish modules." in page


def test_it_shows_summary_figures(admin_client, program):
    definition = make_certificate(program, threshold=2, enabled=True)
    mentor, earner = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, earner)
    give_feedback(make_session(pairing, days_ago=9), earner)
    give_feedback(make_session(pairing, days_ago=8), earner)
    starter = make_participant(program)
    other_mentor = make_participant(program, role="mentor")
    give_feedback(make_session(make_pairing(program, other_mentor, starter), days_ago=3), starter)
    make_participant(program)
    award_revoke(
        award=IssuedCertificate.objects.get(definition=definition, user=mentor.user),
        by=None,
        reason="Logged in error.",
    )
    response = admin_client.get(url(program))
    report = response.context["report"]
    assert report.participants == 5
    [summary] = report.summaries
    figures = (summary.earned, summary.revoked, summary.in_progress, summary.not_started)
    assert figures == (1, 1, 2, 1)
    page = response.content.decode()
    assert "<strong>5</strong> participants" in page


def test_it_shows_each_participants_progress(admin_client, program):
    definition = make_certificate(program, threshold=2, enabled=True, name="Mentorship")
    mentor = make_participant(program, role="mentor", name="Mentor Person")
    mentee = make_participant(program, name="Zoë Ødegaard")
    make_participant(program, role="mentor", name="Zoë Ødegaard", email=mentee.user.email)
    pairing = make_pairing(program, mentor, mentee)
    give_feedback(make_session(pairing, days_ago=30), mentee)
    give_feedback(make_session(pairing, days_ago=20), mentor)
    waiting = make_session(pairing, days_ago=10)
    response = admin_client.get(url(program))
    row = next(r for r in response.context["report"].rows if r.user_id == mentee.user_id)
    assert row.roles == ["Mentee", "Mentor"]
    assert (row.sessions_completed, row.sessions_counting) == (3, 2)
    assert row.sessions_missing_feedback == [waiting.starts_at]
    award = IssuedCertificate.objects.get(definition=definition, user=mentee.user)
    assert row.certificates[0].award == award
    page = response.content.decode()
    assert "Zoë Ødegaard" in page
    assert "Mentee, Mentor" in page
    assert f"{award.issued_at:%-d %b %Y}" in page
    assert f"{waiting.starts_at:%-d %b}" in page


def test_it_renders_names_literally(admin_client, program):
    make_participant(program, name="<img src=x onerror=alert(1)>")
    page = admin_client.get(url(program)).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_it_refuses_certificates_in_group_programs_with_a_message(client):
    organisation = make_organisation()
    group = make_program(organisation, kind="group")
    make_participant(group)
    client.force_login(admin_of(organisation))
    page = client.get(url(group)).content.decode()
    assert "Certificates are not yet available in group programs." in page


def test_it_paginates_fifty_people_a_page(admin_client, program):
    for n in range(55):
        make_participant(program, name=f"Person {n:02d}")
    first = admin_client.get(url(program))
    assert len(first.context["report"].rows) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = admin_client.get(url(program) + "?page=2")
    assert [r.name for r in second.context["report"].rows] == [f"Person {n}" for n in range(50, 55)]
    assert admin_client.get(url(program) + "?page=nonsense").status_code == 200


def program_with_people(pairs: int):
    organisation = make_organisation()
    program = make_program(organisation)
    make_certificate(program, threshold=1, enabled=True)
    make_certificate(program, threshold=5, enabled=False, name="Advanced")
    for _ in range(pairs):
        mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
        pairing = make_pairing(program, mentor, mentee)
        give_feedback(make_session(pairing, days_ago=9), mentee)
        make_session(pairing, days_ago=2)
    client = Client()
    client.force_login(admin_of(organisation))
    return client, program


def test_its_query_count_does_not_grow_with_participants(django_assert_num_queries):
    small_client, small = program_with_people(2)
    with CaptureQueriesContext(connection) as captured:
        assert small_client.get(url(small)).status_code == 200
    assert len(captured) <= 11
    large_client, large = program_with_people(30)
    with django_assert_num_queries(len(captured)):
        response = large_client.get(url(large))
    assert len(response.context["report"].rows) == 50
