"""Small factory functions for tests and benchmarks: each builds one piece of the record
through the same services the product uses."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from laurel.programs.models import Feedback, Organisation, Pairing, Participant, Program, Session
from laurel.programs.services import (
    feedback_submit,
    organisation_create,
    pairing_create,
    participant_add,
    program_create,
    session_schedule,
)

_sequence = itertools.count(1)


def make_organisation(name: str | None = None) -> Organisation:
    n = next(_sequence)
    return organisation_create(name=name or f"Organisation {n}", slug=f"org-{n}")


def make_program(
    organisation: Organisation | None = None, *, kind: str = "one_on_one", name: str | None = None
) -> Program:
    organisation = organisation or make_organisation()
    return program_create(
        organisation=organisation, name=name or f"Program {next(_sequence)}", kind=kind
    )


def make_participant(
    program: Program, *, name: str | None = None, role: str = "mentee", email: str | None = None
) -> Participant:
    n = next(_sequence)
    return participant_add(
        program=program,
        email=email or f"person{n}@example.org",
        name=name or f"Person {n}",
        role=role,
    )


def make_pairing(program: Program, *participants: Participant) -> Pairing:
    if not participants:
        participants = (make_participant(program, role="mentor"), make_participant(program))
    return pairing_create(program=program, participants=list(participants))


def make_session(
    pairing: Pairing,
    *,
    status: str = "completed",
    starts_at: datetime | None = None,
    days_ago: float = 7,
    duration_minutes: int = 60,
) -> Session:
    starts_at = starts_at or timezone.now() - timedelta(days=days_ago)
    return session_schedule(
        pairing=pairing, starts_at=starts_at, duration_minutes=duration_minutes, status=status
    )


def give_feedback(
    session: Session, author: Participant, *, rating: int = 4, comment: str = ""
) -> Feedback:
    return feedback_submit(session=session, author=author, rating=rating, comment=comment)
