"""Several requests awarding the same certificate at once award it once.

On PostgreSQL the threads really overlap (each has its own connection); on SQLite the
database serialises them. Either way the outcome must be the same.
"""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connection

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.certificates.services import ManualAwardResult, certificate_award
from laurel.programs.models import Session
from laurel.programs.services import session_complete
from laurel.testing import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_feedbacks_at_once_award_each_member_once():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    definition = make_certificate(program, threshold=1, enabled=True)
    pairing = make_pairing(program, mentor, mentee)
    first, second = make_session(pairing, days_ago=2), make_session(pairing, days_ago=1)

    results = at_once(lambda: give_feedback(first, mentor), lambda: give_feedback(second, mentee))

    assert not [r for r in results if isinstance(r, Exception)]
    awards = IssuedCertificate.objects.filter(definition=definition)
    assert sorted(a.user_id for a in awards) == sorted([mentor.user_id, mentee.user_id])
    assert Progress.objects.get(program=program, user=mentee.user).sessions_counting == 2


def test_both_members_giving_feedback_at_once_count_the_session_once():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    session = make_session(make_pairing(program, mentor, mentee), days_ago=1)

    results = at_once(
        lambda: give_feedback(session, mentor), lambda: give_feedback(session, mentee)
    )

    assert not [r for r in results if isinstance(r, Exception)]
    for person in (mentor, mentee):
        progress = Progress.objects.get(program=program, user=person.user)
        assert (progress.sessions_completed, progress.sessions_counting) == (1, 1)


def test_manual_awards_at_once_award_once():
    program = make_program()
    mentee = make_participant(program)
    definition = make_certificate(program, threshold=None, enabled=True)

    results = at_once(
        *[lambda: certificate_award(definition=definition, by=None, participant_ids=[mentee.pk])]
        * 4
    )

    assert not [r for r in results if isinstance(r, Exception)]
    outcomes = [r for r in results if isinstance(r, ManualAwardResult)]
    assert sorted(len(r.awarded) for r in outcomes) == [0, 0, 0, 1]
    assert IssuedCertificate.objects.filter(definition=definition).count() == 1


def test_completing_and_giving_feedback_at_once_counts_once():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    definition = make_certificate(program, threshold=1, enabled=True)
    session = make_session(make_pairing(program, mentor, mentee), status="scheduled", days_ago=0.01)

    results = at_once(
        lambda: session_complete(session=session), lambda: give_feedback(session, mentee)
    )

    assert not [r for r in results if isinstance(r, Exception)]
    assert Session.objects.get(pk=session.pk).status == "completed"
    progress = Progress.objects.get(program=program, user=mentor.user)
    assert (progress.sessions_completed, progress.sessions_counting) == (1, 1)
    assert IssuedCertificate.objects.filter(definition=definition).count() == 2


def _award_in_a_process(definition_id: int, participant_id: int, barrier, results) -> None:
    # A forked process must not share the parent's database connection.
    from django.db import connections

    connections.close_all()
    definition = CertificateDefinition.objects.get(pk=definition_id)
    barrier.wait()
    result = certificate_award(definition=definition, by=None, participant_ids=[participant_id])
    results.put(len(result.awarded))
    connections.close_all()


def test_two_processes_awarding_at_once_award_once():
    program = make_program()
    mentee = make_participant(program)
    definition = make_certificate(program, threshold=None, enabled=True)
    connection.close()  # the children open their own
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(
            target=_award_in_a_process, args=(definition.pk, mentee.pk, barrier, results)
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]
    assert sorted([results.get(timeout=5), results.get(timeout=5)]) == [0, 1]
    assert IssuedCertificate.objects.filter(definition=definition).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.parametrize("change", ["enable", "lower_threshold"])
def test_a_person_who_qualifies_while_a_certificate_is_being_enabled_is_awarded(change):
    import threading
    import time

    from django.db import connections, transaction

    from laurel.certificates.services import (
        RuleInput,
        awards_grant,
        certificate_enable,
        certificate_update,
    )

    program = make_program()
    definition = make_certificate(program, threshold=1 if change == "enable" else 5)
    if change == "lower_threshold":
        certificate_enable(definition=definition, by=None, confirm=True)
    earlier = make_pairing(program)
    give_feedback(
        make_session(earlier), earlier.members.get(participant__role="mentee").participant
    )
    holder = earlier.members.get(participant__role="mentee").participant
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    session = make_session(make_pairing(program, mentor, mentee), days_ago=1)
    release = threading.Event()

    def in_thread(call):
        def run():
            try:
                call()
            except Exception:  # noqa: S110 - the outcome is checked in the database
                pass
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def hold_an_award_open():
        # An award not yet committed elsewhere: the enabling stops at it, mid-award.
        with transaction.atomic():
            awards_grant(
                definition=definition, program=program, method="manual", user_ids=[holder.user_id]
            )
            release.wait(timeout=30)
            raise RuntimeError("roll back")

    def waiting_on_a_lock() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            return int(cursor.fetchone()[0])

    holding = in_thread(hold_an_award_open)
    time.sleep(0.3)
    if change == "enable":
        enabling = in_thread(
            lambda: certificate_enable(definition=definition, by=None, confirm=True)
        )
    else:
        enabling = in_thread(
            lambda: certificate_update(
                definition=definition,
                by=None,
                rule=RuleInput(type="sessions_completed", threshold=1),
                confirm=True,
            )
        )
    for _ in range(100):
        if waiting_on_a_lock():
            break
        time.sleep(0.05)
    assert waiting_on_a_lock() == 1  # the enabling waits in the middle of awarding
    feedback = in_thread(lambda: give_feedback(session, mentee))
    feedback.join(timeout=2)
    release.set()
    for thread in (holding, enabling, feedback):
        thread.join(timeout=30)

    awarded = set(
        IssuedCertificate.objects.filter(definition=definition).values_list("user_id", flat=True)
    )
    qualified_before = set(earlier.members.values_list("user_id", flat=True))
    assert awarded == qualified_before | {mentor.user_id, mentee.user_id}
