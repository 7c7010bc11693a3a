"""The counting rule in SQL, and progress as kept up to date, against a plain-Python oracle
written straight from PRODUCT.md section 2, on random records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from laurel.certificates.factories import make_program
from laurel.certificates.models import Progress
from laurel.certificates.selectors import counting_by_user
from laurel.certificates.services import progress_rebuild
from laurel.errors import Conflict
from laurel.programs.models import Feedback
from laurel.programs.services import (
    feedback_delete,
    feedback_submit,
    pairing_record,
    participant_add,
    session_cancel,
    session_complete,
    session_schedule,
    sessions_complete_elapsed,
)

pytestmark = pytest.mark.django_db


@dataclass
class PlannedSession:
    start_hours: int  # relative to now; negative is in the past
    duration_minutes: int
    how: str  # "booked", "imported", "marked", "cancelled"
    feedback_by: frozenset[int]  # positions in the pairing: 0, 1
    delete_feedback_by: frozenset[int] = field(default_factory=frozenset)


sessions_strategy = st.builds(
    PlannedSession,
    start_hours=st.integers(min_value=-400, max_value=48),
    duration_minutes=st.sampled_from([30, 60, 90, 600]),
    how=st.sampled_from(["booked", "imported", "marked", "cancelled"]),
    feedback_by=st.frozensets(st.integers(0, 1)),
    delete_feedback_by=st.frozensets(st.integers(0, 1)),
)

records = st.fixed_dictionaries(
    {
        # Each person: their roles in the program.
        "people": st.lists(
            st.sampled_from([("mentor",), ("mentee",), ("mentor", "mentee")]),
            min_size=2,
            max_size=6,
        ),
        # Each pairing: two people (by index) and in which of their roles, and its sessions.
        "pairings": st.lists(
            st.tuples(
                st.integers(0, 5),
                st.integers(0, 5),
                st.integers(0, 1),
                st.integers(0, 1),
                st.lists(sessions_strategy, min_size=1, max_size=6),
            ),
            min_size=1,
            max_size=6,
        ),
    }
)


def oracle(record, now):
    """PRODUCT.md section 2, read literally, from the plan rather than from the database."""
    people = range(len(record["people"]))
    completed = dict.fromkeys(people, 0)
    counting = dict.fromkeys(people, 0)
    for a, b, _, _, sessions in valid_pairings(record):
        for planned in sessions:
            started, over = timing(planned, now)
            cancelled = planned.how == "cancelled" and not over
            is_completed = not cancelled and (
                over or (started and planned.how in {"marked", "imported"})
            )
            givers = planned.feedback_by if started and not cancelled else frozenset()
            has_feedback = bool(givers - planned.delete_feedback_by)
            for person in (a, b):
                completed[person] += is_completed
                counting[person] += is_completed and has_feedback
    return completed, counting


def timing(planned, now):
    starts = now + timedelta(hours=planned.start_hours)
    ends = starts + timedelta(minutes=planned.duration_minutes)
    return starts <= now, ends <= now


def valid_pairings(record):
    count = len(record["people"])
    for a, b, role_a, role_b, sessions in record["pairings"]:
        if a < count and b < count and a != b:
            yield a, b, role_a, role_b, sessions


def build(record, program, now):
    """Write the record through the services, in the order a real program would."""
    participants = [
        [
            participant_add(
                program=program,
                email=f"p{index}-{program.pk}@example.org",
                name=f"Person {index}",
                role=role,
            )
            for role in roles
        ]
        for index, roles in enumerate(record["people"])
    ]
    for number, (a, b, role_a, role_b, sessions) in enumerate(valid_pairings(record)):
        members = [
            participants[a][role_a % len(participants[a])],
            participants[b][role_b % len(participants[b])],
        ]
        # Each under an id of its own, as an import names them: the same two people may
        # then be paired more than once, and the rule must count that record too.
        pairing = pairing_record(
            program=program, participants=members, external_id=f"pairing-{number}"
        ).value
        for planned in sessions:
            started, over = timing(planned, now)
            session = session_schedule(
                pairing=pairing,
                starts_at=now + timedelta(hours=planned.start_hours),
                duration_minutes=planned.duration_minutes,
                status="completed" if planned.how == "imported" and started else "scheduled",
                now=now,
            )
            cancelled = False
            if planned.how == "cancelled":
                try:
                    session_cancel(session=session, now=now)
                    cancelled = True
                except Conflict:
                    assert over  # only a session whose time has passed refuses
            if started and not cancelled:
                for position in sorted(planned.feedback_by):
                    feedback_submit(session=session, author=members[position], rating=3, now=now)
            if planned.how == "marked" and started:
                session_complete(session=session, now=now)
            for position in sorted(planned.delete_feedback_by):
                for feedback in Feedback.objects.filter(session=session, author=members[position]):
                    feedback_delete(feedback=feedback)
    sessions_complete_elapsed(now=now)
    return [rows[0].user_id for rows in participants]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=records)
def test_sql_counting_and_kept_progress_match_the_oracle(record):
    now = timezone.now().replace(microsecond=0)
    program = make_program()
    users = build(record, program, now)
    expected_completed, expected_counting = oracle(record, now)
    event(f"someone has counting sessions: {any(expected_counting.values())}")

    computed = counting_by_user(program=program)
    kept = {
        row.user_id: (row.sessions_completed, row.sessions_counting)
        for row in Progress.objects.filter(program=program)
    }
    for index, user_id in enumerate(users):
        expected = (expected_completed[index], expected_counting[index])
        assert (
            computed[user_id].sessions_completed,
            computed[user_id].sessions_counting,
        ) == expected
        assert kept[user_id] == expected

    progress_rebuild(program=program)
    rebuilt = {
        row.user_id: (row.sessions_completed, row.sessions_counting)
        for row in Progress.objects.filter(program=program)
    }
    assert rebuilt == kept
