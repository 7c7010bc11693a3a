"""The home page: a participant's activity, and an admin's programs."""

from __future__ import annotations

import re

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
from laurel.certificates.services import award_revoke, certificate_award

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def mentor_two_sessions_short(program):
    """A mentor with two counting sessions and one completed session without feedback."""
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    give_feedback(make_session(pairing, days_ago=20), mentee)
    give_feedback(make_session(pairing, days_ago=10), mentor)
    make_session(pairing, days_ago=3)
    return mentor, mentee


def test_it_redirects_anonymous_visitors_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_rejects_post(client):
    client.force_login(User.objects.create_user(email="a@example.org", name="A"))
    assert client.post(HOME).status_code == 405


def test_it_shows_progress_bars(client):
    program = make_program(name="Engineering")
    make_certificate(program, threshold=3, enabled=True, name="Mentorship Certificate")
    mentor, _ = mentor_two_sessions_short(program)
    client.force_login(mentor.user)
    response = client.get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="2"' in page
    assert "2 of 3 sessions — 1 completed session is waiting for feedback" in page
    assert "Unearned Certificates" in page


def test_each_session_waiting_for_feedback_links_to_its_feedback_form(client):
    program = make_program()
    make_certificate(program, threshold=6, enabled=True)
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    for days_ago in (30, 25, 20, 15):
        give_feedback(make_session(pairing, days_ago=days_ago), mentor)
    waiting = [make_session(pairing, days_ago=d) for d in (5, 3)]
    make_session(pairing, status="scheduled", days_ago=-2)
    client.force_login(mentee.user)
    page = client.get(HOME).content.decode()
    assert "4 of 6 sessions — 2 completed sessions are waiting for feedback" in page
    for session in waiting:
        link = reverse("participation:feedback", kwargs={"session_id": session.pk})
        assert f'<a href="{link}">Give feedback on {session.starts_at:%a %-d %b %Y} with' in page
    assert reverse("participation:sessions", kwargs={"program_id": program.pk}) in page


def test_it_lists_earned_certificates_with_date_and_status(client):
    program = make_program()
    definition = make_certificate(program, threshold=2, enabled=True, name="Mentorship")
    mentor, mentee = mentor_two_sessions_short(program)
    award = IssuedCertificate.objects.get(definition=definition, user=mentee.user)
    award_revoke(award=award, by=None, reason="Sessions were logged twice.")
    client.force_login(mentor.user)
    page = client.get(HOME).content.decode()
    assert "Earned certificates" in page
    assert "Mentorship" in page
    assert "Valid" in page
    assert f"{award.issued_at:%-d %B %Y}" in page
    client.force_login(mentee.user)
    page = client.get(HOME).content.decode()
    assert "Revoked" in page
    assert "Sessions were logged twice." in page


def test_it_shows_guidance_under_unearned_certificates(client):
    program = make_program(kind="development")
    make_certificate(
        program,
        threshold=None,
        enabled=True,
        name="Leadership",
        guidance="Present your capstone at the quarterly review.",
    )
    participant = make_participant(program)
    client.force_login(participant.user)
    page = client.get(HOME).content.decode()
    assert "Unearned Certificates" in page
    assert "Present your capstone at the quarterly review." in page
    assert 'role="progressbar"' not in page


def test_a_manual_award_moves_to_earned(client):
    program = make_program(kind="development")
    definition = make_certificate(program, threshold=None, enabled=True, name="Leadership")
    participant = make_participant(program)
    certificate_award(definition=definition, by=None, participant_ids=[participant.pk])
    client.force_login(participant.user)
    page = client.get(HOME).content.decode()
    assert "Earned certificates" in page
    assert "Unearned Certificates" not in page


def test_it_hides_disabled_certificates(client):
    program = make_program()
    make_certificate(program, threshold=8, enabled=False, name="Advanced tier")
    mentor, _ = mentor_two_sessions_short(program)
    client.force_login(mentor.user)
    page = client.get(HOME).content.decode()
    assert "Advanced tier" not in page


def test_it_shows_only_the_users_own_record(client):
    mine, theirs = make_program(name="My program"), make_program(name="Their program")
    me = make_participant(mine)
    make_participant(theirs)
    make_certificate(theirs, threshold=1, enabled=True, name="Their certificate")
    client.force_login(me.user)
    page = client.get(HOME).content.decode()
    assert "My program" in page
    assert "Their program" not in page
    assert "Their certificate" not in page


def test_it_says_group_programs_have_no_certificates(client):
    program = make_program(kind="group", name="Circle")
    participant = make_participant(program)
    client.force_login(participant.user)
    page = client.get(HOME).content.decode()
    assert "Certificates are not yet available in group programs." in page


def test_it_renders_user_text_literally(client):
    program = make_program(name="<script>alert(1)</script>")
    participant = make_participant(program, name="<b>Bold</b> & Co")
    client.force_login(participant.user)
    page = client.get(HOME).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page


def test_it_lists_an_admins_programs_only_for_their_organisation(client):
    organisation = make_organisation("Northwind")
    program = make_program(organisation, name="Engineering")
    make_participant(program)
    make_program(name="Someone else's program")
    admin = User.objects.create_user(email="admin@example.org", name="Admin")
    organisation.admins.add(admin)
    client.force_login(admin)
    page = client.get(HOME).content.decode()
    assert "Programs you manage" in page
    assert reverse("console:certificates", args=[program.pk]) in page
    assert "1&nbsp;participant" in page
    assert "Someone else&#x27;s program" not in page
    assert "Your activity" not in page


def test_it_welcomes_someone_in_no_program(client):
    client.force_login(User.objects.create_user(email="new@example.org", name="New"))
    page = client.get(HOME).content.decode()
    assert "You are not in any program yet." in page


def logged_in_to_programs(programs: int) -> Client:
    """A client logged in as someone with progress and certificates in several programs."""
    user = User.objects.create_user(email=f"many{programs}@example.org", name="Many")
    for _ in range(programs):
        program = make_program()
        make_certificate(program, threshold=2, enabled=True)
        make_certificate(program, threshold=None, enabled=True, name="Manual", guidance="Ask.")
        me = make_participant(program, email=user.email, name=user.name)
        pairing = make_pairing(program, make_participant(program, role="mentor"), me)
        give_feedback(make_session(pairing, days_ago=5), me)
        make_session(pairing, days_ago=3)  # waiting for feedback
    client = Client()
    client.force_login(user)
    return client


def test_its_query_count_does_not_grow_with_programs(django_assert_num_queries):
    one = logged_in_to_programs(1)
    with CaptureQueriesContext(connection) as captured:
        assert one.get(HOME).status_code == 200
    # Nine for the programs and certificates, two for the person's badges, one for
    # whether the header shows the console link.
    assert len(captured) <= 12
    five = logged_in_to_programs(5)
    with django_assert_num_queries(len(captured)):
        assert five.get(HOME).status_code == 200


def test_bars_and_colours_survive_the_content_security_policy(client):
    program = make_program()
    make_certificate(program, threshold=4, enabled=True, colour="#B45309")
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    client.force_login(mentee.user)
    response = client.get(HOME)
    page = response.content.decode()
    # No style attribute (the policy forbids them); the values are rules in a style block
    # that carries the policy's nonce.
    assert " style=" not in page
    policy = response["Content-Security-Policy"]
    nonce = re.search(r'<style nonce="([^"]+)">([^<]*)</style>', page)
    assert nonce is not None
    assert f"'nonce-{nonce.group(1)}'" in policy
    assert ".dyn-seal-b45309{--seal:#b45309}" in nonce.group(2)
    assert ".dyn-width-25-00{width:25.00%}" in nonce.group(2)
    assert 'class="bar__fill dyn-width-25-00"' in page
