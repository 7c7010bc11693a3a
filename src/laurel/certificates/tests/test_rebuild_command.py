from __future__ import annotations

import pytest
from django.core.management import call_command

from laurel.certificates.factories import (
    give_feedback,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import Progress

pytestmark = pytest.mark.django_db


def test_it_repairs_progress_from_the_record(capsys):
    program = make_program(name="Spring cohort")
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    Progress.objects.filter(program=program).update(sessions_completed=9, sessions_counting=7)

    call_command("rebuild_progress", program=program.pk)

    assert set(Progress.objects.values_list("sessions_completed", "sessions_counting")) == {(1, 1)}
    assert "Spring cohort: progress rebuilt for 2 people" in capsys.readouterr().out


def test_it_says_when_the_program_does_not_exist(capsys):
    with pytest.raises(SystemExit):
        call_command("rebuild_progress", program=999)
    assert "no program with id 999" in capsys.readouterr().err
