"""The sweep: the worker completes elapsed sessions on its own schedule, which awards
what they earned and queues the emails."""

from __future__ import annotations

import logging
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from laurel.certificates.factories import (
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate, Progress
from laurel.outbox.models import Message
from laurel.outbox.periodic import periodic_jobs_run_due
from laurel.programs.models import Session
from laurel.programs.services import feedback_submit
from laurel.testing import at_once

COMPLETE_ELAPSED = "complete elapsed sessions"


def program_with_elapsed_sessions(count: int = 1):
    """A 1:1 program with a certificate for one session, and ``count`` sessions whose
    booked time has passed, still marked scheduled, each with feedback the mentee gave
    during the session."""
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    make_certificate(program, threshold=1, enabled=True)
    pairing = make_pairing(program, mentor, mentee)
    for hours_ago in range(count):
        session = make_session(
            pairing, status="scheduled", starts_at=timezone.now() - timedelta(hours=2 + hours_ago)
        )
        feedback_submit(
            session=session, author=mentee, rating=4, now=session.starts_at + timedelta(minutes=10)
        )
    upcoming = make_session(
        pairing, status="scheduled", starts_at=timezone.now() + timedelta(days=1)
    )
    return program, mentor, mentee, upcoming


@pytest.mark.django_db
def test_sweep_completes_elapsed_sessions_and_awards_what_they_earned(run_tasks, mailoutbox):
    _, mentor, mentee, upcoming = program_with_elapsed_sessions()
    assert not IssuedCertificate.objects.exists()

    result = periodic_jobs_run_due()

    assert result[COMPLETE_ELAPSED] == 1
    statuses = dict(Session.objects.values_list("pk", "status"))
    assert statuses.pop(upcoming.pk) == "scheduled"
    assert list(statuses.values()) == ["completed"]
    assert sorted(IssuedCertificate.objects.values_list("user_id", flat=True)) == sorted(
        [mentor.user_id, mentee.user_id]
    )
    run_tasks()
    assert len(mailoutbox) == 2
    assert periodic_jobs_run_due() == {}, "not due again before its interval"
    later = timezone.now() + timedelta(minutes=2)
    assert periodic_jobs_run_due(now=later)[COMPLETE_ELAPSED] == 0


@pytest.mark.django_db(transaction=True)
def test_sweeps_from_several_workers_at_once_complete_each_session_once():
    program, mentor, mentee, _ = program_with_elapsed_sessions(count=5)

    results = at_once(periodic_jobs_run_due, periodic_jobs_run_due, periodic_jobs_run_due)

    assert not [r for r in results if isinstance(r, Exception)]
    runs = [r[COMPLETE_ELAPSED] for r in results if isinstance(r, dict) and COMPLETE_ELAPSED in r]
    assert runs == [5], "one worker ran the job"
    for person in (mentor, mentee):
        progress = Progress.objects.get(program=program, user=person.user)
        assert (progress.sessions_completed, progress.sessions_counting) == (5, 5)
    assert IssuedCertificate.objects.count() == 2
    assert Message.objects.filter(kind__endswith="send_award_email").count() == 2


@pytest.fixture
def restore_signals_and_log_levels():
    """The worker command takes over the process's signals and tunes its loggers."""
    signals = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "laurel")]
    levels = [logger.level for logger in loggers]
    yield
    for signum, handler in signals.items():
        signal.signal(signum, handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_signals_and_log_levels")
def test_worker_command_sweeps_then_runs_the_messages_due(mailoutbox):
    program_with_elapsed_sessions()

    call_command("worker", "--batch", "--interval=0", verbosity=0)

    assert Session.objects.filter(status="completed").count() == 1
    assert len(mailoutbox) == 2
    assert list(Message.objects.values_list("status", flat=True)) == ["done", "done"]
