"""The mentorship record: session lifecycle, feedback rules, and the database's own guards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from laurel.errors import Conflict, InvalidInput
from laurel.programs.factories import (
    give_feedback,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.programs.models import Feedback, Session
from laurel.programs.services import (
    feedback_change,
    feedback_submit,
    pairing_create,
    participant_add,
    session_cancel,
    session_complete,
    session_schedule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    return program, mentor, mentee, make_pairing(program, mentor, mentee)


def test_completing_a_session_that_has_not_started_is_refused(pair):
    _, _, _, pairing = pair
    session = make_session(pairing, status="scheduled", days_ago=-1)
    with pytest.raises(InvalidInput, match="not started yet"):
        session_complete(session=session)
    with pytest.raises(InvalidInput, match="not started yet"):
        make_session(pairing, status="completed", days_ago=-1)
    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_completion_is_final(pair):
    _, _, _, pairing = pair
    session = make_session(pairing)
    with pytest.raises(Conflict, match="completion is final"):
        session_cancel(session=session)
    session_complete(session=session)  # completing again changes nothing
    assert Session.objects.get(pk=session.pk).status == "completed"


def test_a_session_whose_time_has_passed_cannot_be_cancelled(pair):
    _, _, _, pairing = pair
    session = make_session(pairing, status="scheduled", days_ago=2)
    with pytest.raises(Conflict, match="booked time has passed"):
        session_cancel(session=session)


def test_a_cancelled_session_cannot_be_completed_or_given_feedback(pair):
    _, mentor, _, pairing = pair
    session = session_cancel(session=make_session(pairing, status="scheduled", days_ago=-1))
    with pytest.raises(Conflict, match="cancelled"):
        session_complete(session=session, now=timezone.now() + timedelta(days=3))
    with pytest.raises(InvalidInput, match="cancelled"):
        feedback_submit(
            session=session, author=mentor, rating=4, now=timezone.now() + timedelta(days=3)
        )


def test_feedback_before_the_session_starts_is_refused(pair):
    _, _, mentee, pairing = pair
    session = make_session(pairing, status="scheduled", days_ago=-1)
    with pytest.raises(InvalidInput, match="not started yet"):
        give_feedback(session, mentee)
    assert not Feedback.objects.exists()


def test_feedback_by_someone_outside_the_pairing_is_refused(pair):
    program, _, _, pairing = pair
    outsider = make_participant(program)
    with pytest.raises(InvalidInput, match="Only a member"):
        give_feedback(make_session(pairing), outsider)
    assert not Feedback.objects.exists()


def test_second_feedback_by_the_same_member_is_a_conflict(pair):
    _, _, mentee, pairing = pair
    session = make_session(pairing)
    give_feedback(session, mentee)
    with pytest.raises(Conflict, match="already given feedback"):
        give_feedback(session, mentee, rating=1)
    assert Feedback.objects.get().rating == 4


@pytest.mark.parametrize("rating", [0, 5, "4", True, None])
def test_ratings_outside_one_to_four_are_refused(pair, rating):
    _, _, mentee, pairing = pair
    with pytest.raises(InvalidInput, match="from 1 to 4"):
        feedback_submit(session=make_session(pairing), author=mentee, rating=rating)


def test_hostile_comment_is_kept_literally_and_control_characters_refused(pair):
    _, _, mentee, pairing = pair
    session = make_session(pairing)
    with pytest.raises(InvalidInput, match="control character"):
        feedback_submit(session=session, author=mentee, rating=3, comment="nul\x00byte")
    feedback = feedback_submit(
        session=session, author=mentee, rating=3, comment="<b>{date}</b> ' OR 1=1"
    )
    assert Feedback.objects.get(pk=feedback.pk).comment == "<b>{date}</b> ' OR 1=1"


def test_a_person_cannot_be_paired_with_themselves():
    program = make_program()
    as_mentor = make_participant(program, role="mentor", email="x@example.org")
    as_mentee = make_participant(program, role="mentee", email="X@Example.org")
    assert as_mentor.user_id == as_mentee.user_id
    with pytest.raises(InvalidInput, match="themselves"):
        pairing_create(program=program, participants=[as_mentor, as_mentee])


def test_adding_the_same_role_twice_is_a_conflict():
    program = make_program()
    participant_add(program=program, email="ada@example.org", name="Ada", role="mentor")
    with pytest.raises(Conflict, match="already a mentor"):
        participant_add(program=program, email="ADA@example.org", name="Ada", role="mentor")


def test_a_naive_start_time_is_refused(pair):
    _, _, _, pairing = pair
    with pytest.raises(InvalidInput, match="time zone"):
        session_schedule(
            pairing=pairing, starts_at=timezone.now().replace(tzinfo=None), duration_minutes=30
        )


# The database refuses what the services refuse, for writers that bypass them.


def test_database_refuses_feedback_from_a_non_member(pair):
    program, _, _, pairing = pair
    outsider = make_participant(program)
    session = make_session(pairing)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            session=session, author=outsider, rating=3, created_at=timezone.now()
        )


def test_database_refuses_to_uncomplete_a_session(pair):
    _, _, _, pairing = pair
    session = make_session(pairing)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(status="scheduled", completed_at=None)


def test_database_refuses_out_of_range_ratings_and_duplicate_feedback(pair):
    _, _, mentee, pairing = pair
    session = make_session(pairing)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(session=session, author=mentee, rating=5, created_at=timezone.now())
    Feedback.objects.create(session=session, author=mentee, rating=4, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(session=session, author=mentee, rating=4, created_at=timezone.now())


def test_text_with_a_lone_surrogate_is_refused_with_a_message():
    program = make_program()
    with pytest.raises(InvalidInput, match="not valid text"):
        participant_add(
            program=program, email="a@example.org", name="Bad \ud800 name", role="mentee"
        )


def test_feedback_can_be_changed_by_the_same_rules(pair):
    _, mentor, _, pairing = pair
    session = make_session(pairing)
    feedback = give_feedback(session, mentor, rating=2)
    feedback_change(feedback=feedback, rating=4, comment="On reflection, very useful.")
    stored = Feedback.objects.get(pk=feedback.pk)
    assert (stored.rating, stored.comment) == (4, "On reflection, very useful.")
    with pytest.raises(InvalidInput, match="from 1 to 4"):
        feedback_change(feedback=feedback, rating=5)
    assert Feedback.objects.get(pk=feedback.pk).rating == 4
    Feedback.objects.filter(pk=feedback.pk).delete()
    with pytest.raises(Conflict, match="withdrawn meanwhile"):
        feedback_change(feedback=feedback, rating=3)
