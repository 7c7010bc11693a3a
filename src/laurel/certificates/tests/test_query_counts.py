"""Recording the record costs a fixed number of queries whatever the size of the program."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate

pytestmark = pytest.mark.django_db


def program_with(pairs: int):
    """A program where every pairing is one counting session short of the certificate."""
    program = make_program()
    make_certificate(program, threshold=2, enabled=True)
    make_certificate(program, threshold=5, enabled=True, name="Advanced")
    pairings = []
    for _ in range(pairs):
        mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
        pairing = make_pairing(program, mentor, mentee)
        give_feedback(make_session(pairing, days_ago=10), mentee)
        pairings.append((pairing, mentee))
    return pairings


def queries_to_record_feedback(pairs: int) -> int:
    pairing, mentee = program_with(pairs)[0]
    session = make_session(pairing, days_ago=1)
    with CaptureQueriesContext(connection) as captured:
        give_feedback(session, mentee)
    assert IssuedCertificate.objects.filter(user=mentee.user).count() == 1
    return len(captured)


def test_feedback_that_awards_costs_the_same_queries_in_small_and_large_programs():
    small, large = queries_to_record_feedback(2), queries_to_record_feedback(40)
    assert small == large
    # 15 on SQLite, 3 of them badges' (two tallies and the organisation's badges);
    # PostgreSQL adds one ordered row lock (the badge tallies lock theirs in the update).
    assert large <= 16


def test_feedback_that_awards_nothing_costs_fewer_queries():
    pairing, mentee = program_with(3)[0]
    session = make_session(pairing, days_ago=1)
    give_feedback(session, mentee)
    other_session = make_session(pairing, days_ago=0.5)
    with CaptureQueriesContext(connection) as captured:
        give_feedback(other_session, mentee)
    assert len(captured) <= 13  # 12 on SQLite (3 of them badges'); PostgreSQL adds a lock
