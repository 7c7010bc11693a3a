"""Invitations: the email goes through the outbox with a signed link valid for 7 days;
following it adds the person (created if new) and works once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from laurel.accounts.models import User
from laurel.errors import Conflict, InvalidInput, NotFound
from laurel.outbox.models import Message
from laurel.programs.factories import make_organisation, make_program
from laurel.programs.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_token,
    organisation_found,
)
from laurel.programs.models import Invitation, Organisation, Participant
from laurel.programs.services import participant_add

pytestmark = pytest.mark.django_db


def found(pattern: str, text: object, flags: int = 0) -> str:
    match = re.search(pattern, str(text), flags)
    assert match is not None, f"{pattern!r} not in {text!r}"
    return match.group(1)


@pytest.fixture
def organisation():
    return make_organisation("Northwind")


@pytest.fixture
def admin(organisation):
    user = User.objects.create_user(email="ada@example.org", name="Ada Admin")
    organisation.admins.add(user)
    return user


@pytest.fixture
def program(organisation):
    return make_program(organisation, name="Engineering mentoring")


def invite(organisation, admin, program=None, **kwargs):
    values = {"email": "Zoe@Example.org", "name": "Zoë", "role": "mentee", **kwargs}
    return invitation_create(organisation=organisation, by=admin, program=program, **values)


def link_in(message) -> str:
    return found(r"https?://\S+/invitation/(\S+)/", message.body)


def test_the_email_goes_through_the_outbox_with_the_link(organisation, admin, program, run_tasks):
    invitation = invite(organisation, admin, program)
    assert Message.objects.filter(kind__endswith="send_invitation_email").count() == 1
    assert mail.outbox == []

    run_tasks()

    [email] = mail.outbox
    assert email.to == ["zoe@example.org"]
    assert "Engineering mentoring" in email.subject
    assert "as a mentee" in email.body
    assert invitation_for_token(token=link_in(email)).pk == invitation.pk


def test_following_the_link_creates_the_person_and_adds_them(organisation, admin, program):
    invitation = invite(organisation, admin, program, role="mentor")
    accepted = invitation_accept(token=invitation_token(invitation))
    assert accepted.created_user
    assert accepted.user.email == "zoe@example.org"
    assert accepted.user.name == "Zoë"
    assert not accepted.user.has_usable_password()
    assert Participant.objects.filter(program=program, user=accepted.user, role="mentor").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == accepted.user


def test_someone_added_through_the_api_is_signed_in_as_themselves(organisation, admin, program):
    existing = participant_add(program=program, email="zoe@example.org", name="Zoë", role="mentee")
    other = make_program(organisation, name="Leadership")
    invitation = invite(organisation, admin, other)
    accepted = invitation_accept(token=invitation_token(invitation))
    assert not accepted.created_user
    assert accepted.user.pk == existing.user_id
    assert User.objects.filter(email="zoe@example.org").count() == 1


def test_an_admin_invitation_makes_an_admin(organisation, admin):
    invitation = invite(organisation, admin, role="admin", email="bo@example.org", name="Bo")
    accepted = invitation_accept(token=invitation_token(invitation))
    assert organisation.admins.filter(pk=accepted.user.pk).exists()


def test_a_link_works_once(organisation, admin, program):
    token = invitation_token(invite(organisation, admin, program))
    invitation_accept(token=token)
    with pytest.raises(InvitationUnusable) as raised:
        invitation_accept(token=token)
    assert raised.value.reason == "used"
    assert Participant.objects.filter(program=program).count() == 1


def test_a_link_expires_after_seven_days(organisation, admin, program):
    now = timezone.now()
    token = invitation_token(invite(organisation, admin, program, now=now))
    assert invitation_for_token(token=token, now=now + timedelta(days=6, hours=23))
    with pytest.raises(InvitationUnusable) as raised:
        invitation_accept(token=token, now=now + timedelta(days=7))
    assert raised.value.reason == "expired"
    assert not User.objects.filter(email="zoe@example.org").exists()


def test_a_tampered_link_is_refused(organisation, admin, program):
    token = invitation_token(invite(organisation, admin, program))
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", ""):
        with pytest.raises(InvitationUnusable) as raised:
            invitation_accept(token=bad)
        assert raised.value.reason == "invalid"


def test_sending_again_replaces_the_link(organisation, admin, program, run_tasks):
    invitation = invite(organisation, admin, program)
    old = invitation_token(invitation)
    invitation_resend(invitation=invitation, by=admin)
    run_tasks()
    assert len(mail.outbox) == 2
    with pytest.raises(InvitationUnusable) as raised:
        invitation_accept(token=old)
    assert raised.value.reason == "replaced"
    assert invitation_accept(token=link_in(mail.outbox[-1])).user.email == "zoe@example.org"


def test_a_withdrawn_invitation_cannot_be_used_and_its_email_is_not_sent(
    organisation, admin, program, run_tasks
):
    invitation = invite(organisation, admin, program)
    invitation_revoke(invitation=invitation, by=admin)
    run_tasks()
    assert mail.outbox == []
    with pytest.raises(InvitationUnusable) as raised:
        invitation_accept(token=invitation_token(invitation))
    assert raised.value.reason == "revoked"


def test_a_second_invitation_while_one_waits_is_refused(organisation, admin, program):
    invite(organisation, admin, program)
    with pytest.raises(Conflict) as raised:
        invite(organisation, admin, program)
    assert "already has an invitation waiting" in raised.value.errors["email"][0]


def test_inviting_someone_already_in_that_role_is_refused(organisation, admin, program):
    participant_add(program=program, email="zoe@example.org", name="Zoë", role="mentee")
    with pytest.raises(Conflict, match="already a mentee in Engineering mentoring"):
        invite(organisation, admin, program)


def test_bad_details_are_reported_per_field_and_nothing_is_queued(organisation, admin):
    other = make_program(make_organisation("Other"))
    with pytest.raises(InvalidInput) as raised:
        invite(organisation, admin, other, email="not an address", name="")
    assert set(raised.value.errors) == {"email", "name", "program"}
    assert not Invitation.objects.exists()
    assert not Message.objects.exists()


def test_only_the_organisations_admins_invite(organisation, program):
    stranger = User.objects.create_user(email="x@example.org", name="X")
    with pytest.raises(NotFound):
        invite(organisation, stranger, program)


def test_the_person_signed_in_must_be_the_one_invited(organisation, admin, program):
    token = invitation_token(invite(organisation, admin, program))
    with pytest.raises(Conflict, match=r"you are signed in as ada@example\.org"):
        invitation_accept(token=token, signed_in=admin)
    assert Invitation.objects.get().accepted_at is None


def test_founding_an_organisation_makes_its_admin_and_a_sign_in_link():
    make_organisation("Acme")
    Organisation.objects.filter(name="Acme").update(slug="acme")
    founded = organisation_found(name="Acme", admin_email="Boss@Acme.example", admin_name="Boss")
    assert founded.organisation.slug == "acme-2"
    assert founded.organisation.admins.get() == founded.admin
    assert founded.admin.email == "boss@acme.example"
    assert invitation_accept(token=invitation_token(founded.invitation)).user == founded.admin


def test_create_organisation_prints_the_link(capsys):
    call_command(
        "create_organisation", "--name", "Contoso", "--admin-email", "admin@contoso.example"
    )
    printed = capsys.readouterr().out
    token = found(r"/invitation/(\S+)/", printed)
    invitation = invitation_for_token(token=token)
    assert invitation.role == "admin"
    assert invitation.organisation.name == "Contoso"
    assert "works once, for 7 days" in printed
    assert mail.outbox == []
