"""Changes of the record reach progress through the one entry point, whoever makes them."""

from __future__ import annotations

import pytest

from laurel.certificates.factories import make_pairing, make_participant, make_program, make_session
from laurel.certificates.models import Progress
from laurel.programs.models import Session
from laurel.programs.services import sessions_complete_elapsed

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    return program, mentor, mentee, make_pairing(program, mentor, mentee)


def test_elapsed_sessions_are_completed_by_the_sweep(pair):
    program, _, mentee, pairing = pair
    past = make_session(pairing, status="scheduled", days_ago=3)
    future = make_session(pairing, status="scheduled", days_ago=-3)
    assert sessions_complete_elapsed() == 1
    assert Session.objects.get(pk=past.pk).status == "completed"
    assert Session.objects.get(pk=future.pk).status == "scheduled"
    assert Progress.objects.get(program=program, user=mentee.user).sessions_completed == 1
    assert sessions_complete_elapsed() == 0
