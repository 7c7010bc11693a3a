"""Inviting people from the console, and following an invitation's link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from laurel.accounts.models import User
from laurel.programs.factories import make_organisation, make_participant, make_program
from laurel.programs.invitations import invitation_create, invitation_token
from laurel.programs.models import Invitation, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return make_organisation("Northwind")


@pytest.fixture
def admin(organisation):
    user = User.objects.create_user(email="ada@example.org", name="Ada", password="pw-for-ada-1")
    organisation.admins.add(user)
    return user


@pytest.fixture
def program(organisation):
    return make_program(organisation, name="Engineering")


def page_url(organisation):
    return reverse("console:invitations", args=[organisation.pk])


def accept_url(invitation):
    return reverse("invitation_accept", args=[invitation_token(invitation)])


def invite(organisation, admin, program, email="zoe@example.org", **kwargs):
    kwargs.setdefault("role", "mentee")
    return invitation_create(
        organisation=organisation, by=admin, program=program, email=email, name="Zoë", **kwargs
    )


def test_an_admin_invites_a_participant_and_the_email_is_queued(
    client, admin, organisation, program, run_tasks
):
    client.force_login(admin)
    response = client.post(
        page_url(organisation),
        {"email": "zoe@example.org", "name": "Zoë", "role": "mentor", "program": program.pk},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.program, invitation.invited_by) == (
        "mentor",
        program,
        admin,
    )
    run_tasks()
    assert mail.outbox[0].to == ["zoe@example.org"]
    page = client.get(page_url(organisation)).content.decode()
    assert "Invitation sent to zoe@example.org." in page
    assert "Mentor in Engineering" in page


def test_errors_appear_next_to_the_fields_and_typed_values_stay(client, admin, organisation):
    client.force_login(admin)
    response = client.post(
        page_url(organisation), {"email": "zoe@example.org", "name": "Zoë", "role": "mentee"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose the program" in page.split('id="id_program_error"', 1)[1]
    assert 'value="zoe@example.org"' in page
    assert not Invitation.objects.exists()


def test_resend_and_withdraw(client, admin, organisation, program, run_tasks):
    invitation = invite(organisation, admin, program)
    client.force_login(admin)
    client.post(reverse("console:invitation_resend", args=[invitation.pk]))
    run_tasks()
    assert len(mail.outbox) == 2
    client.post(reverse("console:invitation_revoke", args=[invitation.pk]))
    assert Invitation.objects.get().revoked_at is not None
    assert "No invitations are waiting." in client.get(page_url(organisation)).content.decode()


def test_resend_and_withdraw_refuse_get_and_other_organisations(
    client, admin, organisation, program
):
    other_admin = User.objects.create_user(email="o@example.org", name="O")
    make_organisation("Other").admins.add(other_admin)
    invitation = invite(organisation, admin, program)
    client.force_login(other_admin)
    assert client.get(page_url(organisation)).status_code == 404
    for name in ("console:invitation_resend", "console:invitation_revoke"):
        assert client.post(reverse(name, args=[invitation.pk])).status_code == 404
    client.force_login(admin)
    assert client.get(reverse("console:invitation_revoke", args=[invitation.pk])).status_code == 405
    assert Invitation.objects.get().revoked_at is None


def test_opening_the_link_uses_nothing_up(client, admin, organisation, program):
    invitation = invite(organisation, admin, program)
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    assert "Join Engineering" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None


def test_accepting_signs_in_a_new_person_and_asks_for_a_password(
    client, admin, organisation, program
):
    invitation = invite(organisation, admin, program)
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_set_password") + "?next=/"
    user = User.objects.get(email="zoe@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Participant.objects.filter(program=program, user=user).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_accepting_twice_shows_a_clear_page(client, admin, organisation, program):
    invitation = invite(organisation, admin, program)
    url = accept_url(invitation)
    client.post(url)
    client.logout()
    response = client.post(url)
    assert response.status_code == 410
    assert "This invitation was already used" in response.content.decode()


def test_an_expired_link_shows_a_clear_page(client, admin, organisation, program):
    invitation = invite(organisation, admin, program, now=timezone.now() - timedelta(days=8))
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_a_tampered_link_shows_a_clear_page(client, admin, organisation, program):
    invitation = invite(organisation, admin, program)
    url = accept_url(invitation)
    response = client.post(re.sub(r"(.)/$", lambda m: ("A" if m[1] != "A" else "B") + "/", url))
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()
    assert not User.objects.filter(email="zoe@example.org").exists()


def test_someone_signed_in_as_another_person_is_told(client, admin, organisation, program):
    invitation = invite(organisation, admin, program)
    client.force_login(admin)
    assert (
        "you are signed in as ada@example.org"
        in client.get(accept_url(invitation)).content.decode()
    )
    response = client.post(accept_url(invitation))
    assert response.status_code == 409
    assert Invitation.objects.get().accepted_at is None


def test_a_person_with_a_password_is_not_asked_for_one(client, admin, organisation, program):
    other = make_program(organisation, name="Leadership")
    person = make_participant(program, email="zoe@example.org")
    person.user.set_password("zoe-has-a-password")
    person.user.save()
    invitation = invite(organisation, admin, other)
    response = client.post(accept_url(invitation))
    assert response["Location"] == "/"


def test_the_invitations_page_reads_a_bounded_number_of_queries(
    client, admin, organisation, program, django_assert_max_num_queries
):
    for n in range(20):
        invite(organisation, admin, program, email=f"p{n}@example.org")
    client.force_login(admin)
    with django_assert_max_num_queries(7):
        assert client.get(page_url(organisation)).status_code == 200
