"""Several transactions that would award the same badge at once award it once.

On PostgreSQL the threads and processes really overlap (each has its own connection); on
SQLite the database serialises them. Either way the outcome must be the same.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from django.db import connection, connections, transaction

from laurel.badges.factories import (
    give_feedback,
    make_badge,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.badges.models import BadgeDefinition, IssuedBadge, PartnerTally, RoleTally
from laurel.badges.services import (
    BadgeEnableResult,
    BadgeRule,
    badge_enable,
    badge_update,
    badges_grant,
)
from laurel.programs.models import Participant, Session
from laurel.programs.services import session_complete
from laurel.testing import at_once

pytestmark = pytest.mark.django_db(transaction=True)

WITH_FEEDBACK = BadgeRule(
    type="sessions_as_role", role="mentor", threshold=1, feedback_required=True
)


def test_two_feedbacks_at_once_award_the_badge_once():
    organisation = make_organisation()
    badge = make_badge(organisation, rule=WITH_FEEDBACK, enabled=True)
    connector = make_badge(
        organisation,
        name="Met someone",
        rule=BadgeRule(type="distinct_partners", threshold=1, feedback_required=True),
        enabled=True,
    )
    program = make_program(organisation)
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    first, second = make_session(pairing, days_ago=2), make_session(pairing, days_ago=1)

    results = at_once(lambda: give_feedback(first, mentor), lambda: give_feedback(second, mentee))

    assert not [r for r in results if isinstance(r, Exception)]
    assert list(IssuedBadge.objects.filter(badge=badge).values_list("user_id", flat=True)) == [
        mentor.user_id
    ]
    assert sorted(
        IssuedBadge.objects.filter(badge=connector).values_list("user_id", flat=True)
    ) == sorted([mentor.user_id, mentee.user_id])
    tally = RoleTally.objects.get(program=program, user=mentor.user)
    assert (tally.sessions_completed, tally.sessions_counting) == (2, 2)


def test_completing_sessions_of_the_same_people_in_both_roles_at_once_counts_each():
    # Grace mentors Ada in one pairing and Ada mentors Grace in another: the two
    # completions touch the same tallies, in opposite orders.
    organisation = make_organisation()
    badge = make_badge(
        organisation,
        name="Met",
        rule=BadgeRule(type="distinct_partners", threshold=1),
        enabled=True,
    )
    program = make_program(organisation)
    grace = make_participant(program, role="mentor", email="grace@example.org", name="Grace")
    ada = make_participant(program, role="mentee", email="ada@example.org", name="Ada")
    ada_mentor = make_participant(program, role="mentor", email="ada@example.org", name="Ada")
    grace_mentee = make_participant(program, role="mentee", email="grace@example.org", name="Grace")
    sessions = [
        make_session(make_pairing(program, grace, ada), status="scheduled", days_ago=0.01),
        make_session(make_pairing(program, ada_mentor, grace_mentee), status="scheduled", days_ago=0.01),
    ]  # fmt: skip
    results = at_once(*[lambda s=s: session_complete(session=s) for s in sessions])

    assert not [r for r in results if isinstance(r, Exception)]
    assert Session.objects.filter(status="completed").count() == 2
    assert sorted(
        PartnerTally.objects.filter(program=program).values_list("sessions_completed", flat=True)
    ) == [2, 2]
    assert IssuedBadge.objects.filter(badge=badge).count() == 2


def test_enabling_twice_at_once_awards_once():
    organisation = make_organisation()
    badge = make_badge(
        organisation, rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=1)
    )
    program = make_program(organisation)
    make_session(make_pairing(program))

    results = at_once(*[lambda: badge_enable(badge=badge, by=None, confirm=True)] * 2)

    assert sorted(r.awarded for r in results if isinstance(r, BadgeEnableResult)) == [0, 1]
    assert IssuedBadge.objects.filter(badge=badge).count() == 1


def _feedback_in_a_process(session_id: int, participant_id: int, barrier, results) -> None:
    # A forked process must not share the parent's database connection.
    connections.close_all()
    session = Session.objects.get(pk=session_id)
    author = Participant.objects.get(pk=participant_id)
    barrier.wait()
    give_feedback(session, author)
    results.put(IssuedBadge.objects.count())
    connections.close_all()


def test_two_processes_giving_feedback_at_once_award_once():
    organisation = make_organisation()
    badge = make_badge(organisation, rule=WITH_FEEDBACK, enabled=True)
    program = make_program(organisation)
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    sessions = [make_session(pairing, days_ago=2), make_session(pairing, days_ago=1)]
    connection.close()  # the children open their own
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(
            target=_feedback_in_a_process, args=(session.pk, author.pk, barrier, results)
        )
        for session, author in zip(sessions, (mentor, mentee), strict=True)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]
    assert list(IssuedBadge.objects.filter(badge=badge).values_list("user_id", flat=True)) == [
        mentor.user_id
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.parametrize("change", ["enable", "lower_threshold"])
def test_a_person_who_qualifies_while_a_badge_is_being_enabled_is_awarded(change):
    organisation = make_organisation()
    rule = BadgeRule(type="sessions_as_role", role="mentor", threshold=1, feedback_required=True)
    badge = make_badge(
        organisation,
        rule=rule if change == "enable" else BadgeRule(**{**rule.__dict__, "threshold": 5}),
        enabled=change == "lower_threshold",
    )
    program = make_program(organisation)
    earlier = make_pairing(program)
    holder = earlier.members.get(participant__role="mentor").participant
    give_feedback(
        make_session(earlier), earlier.members.get(participant__role="mentee").participant
    )
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
            current = BadgeDefinition.objects.get(pk=badge.pk)
            current.threshold = 1
            badges_grant(badge=current, user_ids=[holder.user_id])
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
        enabling = in_thread(lambda: badge_enable(badge=badge, by=None, confirm=True))
    else:
        enabling = in_thread(
            lambda: badge_update(
                badge=badge,
                by=None,
                name=badge.name,
                description="",
                colour="",
                rule=rule,
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

    awarded = set(IssuedBadge.objects.filter(badge=badge).values_list("user_id", flat=True))
    assert awarded == {holder.user_id, mentor.user_id}
