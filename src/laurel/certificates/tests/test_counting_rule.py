"""The counting rule of the seed article: which sessions count towards a certificate."""

from __future__ import annotations

import pytest

from laurel.certificates.factories import (
    give_feedback,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.selectors import (
    counting_by_user,
    missing_feedback_by_user,
    progress_for_user,
)
from laurel.certificates.services import progress_rebuild
from laurel.programs.services import feedback_delete, session_cancel

pytestmark = pytest.mark.django_db


def both_views(program, participant):
    """Progress as kept up to date, and as computed from scratch: they must agree."""
    kept = progress_for_user(program=program, user_id=participant.user_id)
    computed = counting_by_user(program=program, user_ids=[participant.user_id])[
        participant.user_id
    ]
    assert kept == computed
    return kept


def test_partner_feedback_counts_for_both():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    session = make_session(make_pairing(program, mentor, mentee))
    give_feedback(session, mentee)
    assert both_views(program, mentor).sessions_counting == 1
    assert both_views(program, mentee).sessions_counting == 1


def test_own_feedback_counts():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    session = make_session(make_pairing(program, mentor, mentee))
    give_feedback(session, mentor)
    assert both_views(program, mentor).sessions_counting == 1


def test_feedback_from_both_members_counts_the_session_once():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    session = make_session(make_pairing(program, mentor, mentee))
    give_feedback(session, mentor)
    give_feedback(session, mentee)
    assert both_views(program, mentor).sessions_counting == 1
    assert both_views(program, mentee).sessions_counting == 1


def test_completed_session_without_feedback_does_not_count():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    session = make_session(make_pairing(program, mentor, mentee))
    counts = both_views(program, mentee)
    assert (
        counts.sessions_completed,
        counts.sessions_counting,
        counts.missing_feedback_count,
    ) == (1, 0, 1)
    missing = missing_feedback_by_user(program_id=program.pk, user_ids=[mentee.user_id])
    assert [session_id for session_id, _ in missing[mentee.user_id]] == [session.pk]


def test_cancelled_and_future_sessions_do_not_count():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    started = make_session(pairing, status="scheduled", days_ago=0.01, duration_minutes=60)
    give_feedback(started, mentee)  # it has started, so feedback is allowed, but it is not over
    cancelled = make_session(pairing, status="scheduled", days_ago=-2)
    session_cancel(session=cancelled)
    make_session(pairing, status="scheduled", days_ago=-3)
    counts = both_views(program, mentee)
    assert (counts.sessions_completed, counts.sessions_counting) == (0, 0)


def test_sessions_count_in_any_role_across_pairings():
    program = make_program()
    ada_as_mentor = make_participant(program, role="mentor", email="ada@example.org", name="Ada")
    ada_as_mentee = make_participant(program, role="mentee", email="ada@example.org", name="Ada")
    assert ada_as_mentor.user_id == ada_as_mentee.user_id
    mentee, mentor = make_participant(program), make_participant(program, role="mentor")
    first = make_session(make_pairing(program, ada_as_mentor, mentee))
    second = make_session(make_pairing(program, mentor, ada_as_mentee))
    give_feedback(first, mentee)
    give_feedback(second, ada_as_mentee)
    assert both_views(program, ada_as_mentor).sessions_counting == 2


def test_sessions_in_another_program_do_not_count():
    program, other = make_program(), make_program()
    mentor, mentee = (
        make_participant(other, role="mentor"),
        make_participant(other, email="same@example.org"),
    )
    give_feedback(make_session(make_pairing(other, mentor, mentee)), mentee)
    in_program = make_participant(program, email="same@example.org")
    assert both_views(program, in_program).sessions_counting == 0


def test_deleting_the_only_feedback_stops_the_session_counting():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    feedback = give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    feedback_delete(feedback=feedback)
    counts = both_views(program, mentor)
    assert (counts.sessions_completed, counts.sessions_counting) == (1, 0)


def test_rebuild_reproduces_kept_progress():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    give_feedback(make_session(pairing), mentee)
    make_session(pairing)
    before = progress_for_user(program=program, user_id=mentee.user_id)
    assert progress_rebuild(program=program) == 2
    assert progress_for_user(program=program, user_id=mentee.user_id) == before


def test_rebuild_and_awarding_accept_more_people_than_one_statement_can_name():
    from laurel.certificates.factories import make_certificate
    from laurel.certificates.models import IssuedCertificate
    from laurel.certificates.services import awards_after_record_change

    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    make_certificate(program, threshold=1, enabled=True)
    IssuedCertificate.objects.all().delete()
    many = [*range(10_000_000, 10_040_000), mentee.user_id, mentor.user_id]

    assert progress_rebuild(program=program, user_ids=many) == 2
    assert len(awards_after_record_change(program=program, user_ids=many)) == 2
