"""Building programs with people and progress for the console's tests."""

from __future__ import annotations

from django.test import Client

from laurel.accounts.models import User
from laurel.certificates.factories import (
    give_feedback,
    make_pairing,
    make_participant,
    make_session,
)
from laurel.programs.models import Organisation, Participant, Program


def admin_of(organisation: Organisation, *, name: str = "Admin") -> User:
    admin = User.objects.create_user(
        email=f"admin{organisation.pk}-{User.objects.count()}@example.org", name=name
    )
    organisation.admins.add(admin)
    return admin


def admin_client(organisation: Organisation) -> Client:
    client = Client()
    client.force_login(admin_of(organisation))
    return client


def pair_with_counting_sessions(
    program: Program,
    counting: int,
    *,
    mentor_name: str | None = None,
    mentee_name: str | None = None,
) -> tuple[Participant, Participant]:
    """A mentor and a mentee who met ``counting`` times, each session with feedback."""
    mentor = make_participant(program, role="mentor", name=mentor_name)
    mentee = make_participant(program, name=mentee_name)
    pairing = make_pairing(program, mentor, mentee)
    for n in range(counting):
        give_feedback(make_session(pairing, days_ago=30 - n), mentee)
    return mentor, mentee
