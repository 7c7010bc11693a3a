"""A large import is checked whole, then written a batch per transaction."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from laurel.certificates.factories import make_certificate, make_program
from laurel.certificates.models import IssuedCertificate, Progress
from laurel.errors import Conflict
from laurel.imports.models import ImportRun, StagedRow
from laurel.imports.services import ImportRefused, record_import
from laurel.imports.tests.test_record_import import HEADER, ago, history_csv
from laurel.programs.events import SessionsCompleted, record_changes
from laurel.programs.models import Feedback, Participant, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def batches_of_three(settings):
    settings.IMPORT_BATCH_ROWS = 3


@pytest.fixture
def during_each_batch(monkeypatch):
    """Call a function whenever the import completes sessions, inside that batch's
    transaction (as a listener of the record would)."""

    def install(call):
        def listener(event):
            if isinstance(event, SessionsCompleted):
                call()

        monkeypatch.setattr(record_changes, "_listeners", [*record_changes._listeners, listener])

    return install


def sessions_file(count, *, pairings=2):
    return HEADER + "".join(
        f"p{n % pairings},mentor{n % pairings}@example.org,Mentor {n % pairings},"
        f"mentee{n % pairings}@example.org,Mentee {n % pairings},s{n},{ago(30 - n)},60,"
        "completed,4,,,\n"
        for n in range(count)
    )


def progress(program):
    return {
        p.user.name: (p.sessions_completed, p.sessions_counting)
        for p in Progress.objects.filter(program=program).select_related("user")
    }


def read_from_another_connection(query):
    """What another client of the database sees right now."""
    seen = []

    def read():
        try:
            seen.append(query())
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=10)
    assert seen, "the other connection did not answer"
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_each_batch_is_committed_before_the_next_begins(batches_of_three, during_each_batch):
    program = make_program()
    seen = []
    during_each_batch(
        lambda: seen.append(
            read_from_another_connection(
                lambda: Session.objects.filter(pairing__program=program).count()
            )
        )
    )

    result = record_import(program=program, stream=sessions_file(8))

    # While the second batch was being written, another client could already read the
    # first one; while the third was, the first two.
    assert seen == [0, 3, 6]
    assert result.sessions_created == 8
    assert Session.objects.filter(pairing__program=program).count() == 8
    run = ImportRun.objects.get(program=program)
    assert (run.state, run.rows, run.applied_through_line) == ("done", 8, 9)
    assert not StagedRow.objects.exists()


def test_a_bad_row_after_the_first_batch_imports_nothing(batches_of_three):
    program = make_program()
    rows = sessions_file(10).splitlines(keepends=True)
    rows[-1] = rows[-1].replace(",60,", ",0,")  # line 11, in the fourth batch

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream="".join(rows))

    assert [(p.line, p.column) for p in refused.value.problems] == [(11, "duration_minutes")]
    assert not Session.objects.exists()
    assert not Participant.objects.exists()
    assert ImportRun.objects.get(program=program).state == "refused"
    assert not StagedRow.objects.exists()


def test_rows_in_different_batches_are_checked_against_each_other(batches_of_three):
    program = make_program()
    rows = sessions_file(8).splitlines(keepends=True)
    rows[7] = rows[7].replace(",s6,", ",s1,")  # line 8: s1 is on line 3
    rows[8] = rows[8].replace("mentee1@", "someone.else@")  # line 9: p1 is first on line 3

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream="".join(rows))

    assert [str(p) for p in refused.value.problems] == [
        "line 8, column session: Session 's1' is also on line 3.",
        "line 9, column pairing: Pairing 'p1' has other members on line 3.",
    ]
    assert not Session.objects.exists()


def test_rows_after_the_first_batch_are_checked_against_the_record(batches_of_three):
    program = make_program()
    record_import(program=program, stream=sessions_file(8))
    rows = sessions_file(8).splitlines(keepends=True)
    rows[8] = rows[8].replace(ago(23), ago(22))  # line 9: s7 moved
    rows.append(f"p9,a@example.org,A,b@example.org,B,s9,{ago(1)},60,completed,,,,\n")

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream="".join(rows))

    assert [(p.line, p.column) for p in refused.value.problems] == [(9, "starts_at")]
    assert "cannot be moved" in refused.value.problems[0].message
    assert not Session.objects.filter(external_id="s9").exists()


def test_an_import_that_stopped_part_way_is_completed_by_importing_the_file_again(
    batches_of_three, during_each_batch
):
    program = make_program()
    make_certificate(program, threshold=3, enabled=True)
    batches: list[int] = []
    dying = True

    def die_in_the_second_batch():
        batches.append(1)
        if dying and len(batches) == 2:
            raise RuntimeError("the process died")

    during_each_batch(die_in_the_second_batch)

    with pytest.raises(RuntimeError):
        record_import(program=program, stream=history_csv())

    # The first batch (lines 2-4: s1, s2, s3) stays; the second rolled back.
    run = ImportRun.objects.get(program=program)
    assert (run.state, run.applied_through_line) == ("stopped", 4)
    assert set(Session.objects.values_list("external_id", flat=True)) == {
        "s1",
        "s2",
        "s3",
    }
    assert not StagedRow.objects.exists()
    dying = False

    again = record_import(program=program, stream=history_csv())

    assert (again.sessions_created, again.pairings_created, again.people_created) == (4, 1, 1)
    assert Session.objects.count() == 7
    assert Feedback.objects.count() == 5
    assert progress(program) == {
        "Grace Hopper": (5, 4),
        "Ada Lovelace": (4, 3),
        "Alan Turing": (1, 1),
    }
    assert sorted(IssuedCertificate.objects.values_list("recipient_name", flat=True)) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert list(
        ImportRun.objects.filter(program=program).order_by("pk").values_list("state", flat=True)
    ) == ["stopped", "done"]


def test_one_import_at_a_time_per_program_and_a_dead_one_is_taken_over():
    program = make_program()
    now = timezone.now()
    running = ImportRun.objects.create(
        program=program, state="applying", started_at=now, heartbeat_at=now
    )

    with pytest.raises(Conflict, match="Another import into this program is under way"):
        record_import(program=program, stream=history_csv())
    assert not Session.objects.exists()

    # Its process died: it has not renewed its heartbeat for ten minutes.
    ImportRun.objects.filter(pk=running.pk).update(heartbeat_at=now - timedelta(minutes=10))

    result = record_import(program=program, stream=history_csv())

    assert result.sessions_created == 7
    running.refresh_from_db()
    assert running.state == "stopped"
