"""Importing a program's record from CSV."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from laurel.certificates.factories import make_certificate, make_program
from laurel.certificates.models import IssuedCertificate, Progress
from laurel.errors import InvalidInput
from laurel.imports.services import ImportRefused, record_import
from laurel.programs.models import Feedback, Pairing, Participant, Session
from laurel.programs.services import session_record

pytestmark = pytest.mark.django_db

HEADER = (
    "pairing,mentor_email,mentor_name,mentee_email,mentee_name,session,starts_at,"
    "duration_minutes,status,mentor_rating,mentor_comment,mentee_rating,mentee_comment\n"
)


# One moment for every file a test writes, as an export from another system would repeat
# the same times.
NOW = timezone.now().replace(microsecond=0)


def ago(days):
    return (NOW - timedelta(days=days)).isoformat()


def history_csv():
    return HEADER + "".join(
        [
            f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s1,{ago(30)},60,completed,4,Great,,\n",
            f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s2,{ago(20)},60,completed,,,3,\n",
            f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s3,{ago(10)},60,completed,4,,4,Thanks\n",
            f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s4,{ago(5)},60,completed,,,,\n",
            f"p2,grace@example.org,Grace Hopper,alan@example.org,Alan Turing,s5,{ago(9)},30,completed,3,,,\n",
            f"p2,grace@example.org,Grace Hopper,alan@example.org,Alan Turing,s6,{ago(-3)},30,scheduled,,,,\n",
            f"p2,grace@example.org,Grace Hopper,alan@example.org,Alan Turing,s7,{ago(8)},30,cancelled,,,,\n",
        ]
    )


def progress(program):
    return {
        p.user.name: (p.sessions_completed, p.sessions_counting)
        for p in Progress.objects.filter(program=program).select_related("user")
    }


def test_it_imports_people_pairings_sessions_and_feedback():
    program = make_program()

    result = record_import(program=program, stream=history_csv())

    assert (result.rows, result.people_created, result.participants_created) == (7, 3, 3)
    assert (result.pairings_created, result.sessions_created, result.feedback_created) == (2, 7, 5)
    assert Participant.objects.filter(program=program).count() == 3
    assert Pairing.objects.filter(program=program).count() == 2
    assert sorted(Session.objects.values_list("status", flat=True)) == sorted(
        ["completed"] * 5 + ["scheduled", "cancelled"]
    )
    assert progress(program) == {
        "Grace Hopper": (5, 4),
        "Ada Lovelace": (4, 3),
        "Alan Turing": (1, 1),
    }


def test_an_import_awards_what_the_record_now_earns():
    program = make_program()
    definition = make_certificate(program, threshold=3, enabled=True)

    result = record_import(program=program, stream=history_csv())

    assert result.awarded == 2
    assert set(
        IssuedCertificate.objects.filter(definition=definition).values_list(
            "recipient_name", flat=True
        )
    ) == {"Grace Hopper", "Ada Lovelace"}


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    program = make_program()
    make_certificate(program, threshold=3, enabled=True)
    csv = history_csv()
    record_import(program=program, stream=csv)
    before = (
        Session.objects.count(),
        Feedback.objects.count(),
        IssuedCertificate.objects.count(),
        progress(program),
    )

    again = record_import(program=program, stream=csv)

    assert (again.people_created, again.participants_created, again.pairings_created) == (0, 0, 0)
    assert (again.sessions_created, again.feedback_created, again.awarded) == (0, 0, 0)
    after = (
        Session.objects.count(),
        Feedback.objects.count(),
        IssuedCertificate.objects.count(),
        progress(program),
    )
    assert after == before


def test_a_later_file_adds_only_what_is_new():
    program = make_program()
    record_import(program=program, stream=history_csv())
    later = HEADER + (
        f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s4,{ago(5)},60,completed,,,2,\n"
        f"p3,alan@example.org,Alan Turing,ada@example.org,Ada Lovelace,s8,{ago(1)},60,completed,4,,,\n"
    )

    result = record_import(program=program, stream=later)

    assert (result.sessions_created, result.feedback_created, result.pairings_created) == (1, 2, 1)
    assert result.participants_created == 1  # Alan as a mentor; Ada is a mentee already
    assert progress(program)["Ada Lovelace"] == (5, 5)
    assert Session.objects.get(external_id="s4").first_feedback_at is not None


def test_three_bad_rows_are_all_reported_and_nothing_is_imported():
    program = make_program()
    rows = history_csv().splitlines(keepends=True)
    rows[2] = rows[2].replace("ada@example.org", "not-an-email")  # line 3
    rows[4] = rows[4].replace(",60,", ",sixty,")  # line 5
    rows[6] = rows[6].replace(ago(-3)[:10], "2026-13-45")  # line 7, the scheduled session

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream="".join(rows))

    assert [(p.line, p.column) for p in refused.value.problems] == [
        (3, "mentee_email"),
        (5, "duration_minutes"),
        (7, "starts_at"),
    ]
    assert "3 problem(s)" in refused.value.detail
    assert not Participant.objects.exists()
    assert not Session.objects.exists()


def test_rows_are_checked_against_each_other_and_the_rules():
    program = make_program()
    csv = HEADER + (
        f"p1,grace@example.org,Grace,ada@example.org,Ada,s1,{ago(3)},60,completed,,,,\n"
        f"p1,grace@example.org,Grace,alan@example.org,Alan,s2,{ago(3)},60,completed,5,,,\n"
        f"p2,bob@example.org,Bob,eve@example.org,Eve,s1,{ago(3)},60,completed,,,,\n"
        f"p3,c@example.org,C,d@example.org,D,s3,{ago(-2)},60,completed,,,,\n"
        f"p3,c@example.org,C,d@example.org,D,s4,{ago(-2)},60,scheduled,4,,,\n"
        f"p3,c@example.org,C,d@example.org,D,s5,2026-03-01T10:00:00,60,scheduled,,,,\n"
        f"p3,c@example.org,C,d@example.org,D,s6,{ago(2)},60,cancelled,,,3,\n"
        f"p4,bob@example.org,Bob,bob@example.org,Bob,s7,{ago(2)},60,completed,,,,\n"
    )

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream=csv)

    assert [(p.line, p.column) for p in refused.value.problems] == [
        (3, "mentor_rating"),
        (4, "session"),
        (5, "status"),
        (6, "starts_at"),
        (7, "starts_at"),
        (8, "status"),
        (9, "mentee_email"),
    ]


def test_a_pairing_imported_before_keeps_its_members():
    program = make_program()
    record_import(program=program, stream=history_csv())
    csv = (
        HEADER + f"p1,grace@example.org,Grace,alan@example.org,Alan,s9,{ago(1)},60,completed,,,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream=csv)
    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "pairing")]


def test_missing_and_unknown_columns_are_reported_on_line_1():
    program = make_program()
    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream="pairing,mentor_email,colour\np1,a@b.c,red\n")
    assert [p.line for p in refused.value.problems] == [1, 1]
    columns = {p.column for p in refused.value.problems}
    assert "colour" in columns
    assert any("mentee_email" in column for column in columns)


def test_group_programs_are_refused():
    with pytest.raises(InvalidInput, match="1:1"):
        record_import(program=make_program(kind="group"), stream=history_csv())


def test_the_command_imports_a_file_and_reports_problems(tmp_path):
    program = make_program()
    good = tmp_path / "record.csv"
    good.write_text(history_csv(), encoding="utf-8")
    out = io.StringIO()
    call_command("import_record", str(good), program=program.pk, stdout=out)
    assert "Imported 7 rows" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text(history_csv().replace("s5,", "s1,"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_record", str(bad), program=program.pk, stderr=err)
    assert "line 6, column session" in err.getvalue()


def test_a_later_file_cannot_complete_a_session_that_has_not_started():
    program = make_program()
    record_import(program=program, stream=history_csv())  # s6 starts in three days
    later = HEADER + (
        f"p2,grace@example.org,Grace Hopper,alan@example.org,Alan Turing,s6,{ago(1)},30,completed,4,,,\n"
    )

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream=later)

    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "starts_at")]
    session = Session.objects.get(external_id="s6")
    assert session.status == Session.Status.SCHEDULED
    assert not Feedback.objects.filter(session=session).exists()
    assert progress(program)["Alan Turing"] == (1, 1)


def test_a_later_file_cancels_a_booked_session():
    program = make_program()
    record_import(program=program, stream=history_csv())
    later = HEADER + (
        f"p2,grace@example.org,Grace Hopper,alan@example.org,Alan Turing,s6,{ago(-3)},30,cancelled,,,,\n"
    )

    result = record_import(program=program, stream=later)

    assert result.sessions_cancelled == 1
    assert Session.objects.get(external_id="s6").status == "cancelled"


def test_a_later_file_cannot_move_uncomplete_or_cancel_what_took_place():
    program = make_program()
    record_import(program=program, stream=history_csv())
    later = HEADER + (
        f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s1,{ago(31)},60,completed,,,,\n"
        f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s2,{ago(20)},60,cancelled,,,,\n"
        f"p2,grace@example.org,Grace Hopper,alan@example.org,Alan Turing,s7,{ago(8)},30,completed,,,,\n"
    )

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream=later)

    assert [(p.line, p.column) for p in refused.value.problems] == [
        (2, "starts_at"),
        (3, "status"),
        (4, "status"),
    ]
    assert "cannot be moved" in refused.value.problems[0].message
    assert "completion is final" in refused.value.problems[1].message
    assert "was cancelled" in refused.value.problems[2].message
    assert Session.objects.get(external_id="s2").status == "completed"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("duration_minutes", "6\N{SUPERSCRIPT TWO}"),
        ("duration_minutes", "\N{ARABIC-INDIC DIGIT SIX}\N{ARABIC-INDIC DIGIT ZERO}"),
        ("mentor_rating", "\N{SUPERSCRIPT THREE}"),
        ("mentor_rating", "\N{DEVANAGARI DIGIT FOUR}"),
    ],
)
def test_numbers_are_ascii_digits_only(column, value):
    program = make_program()
    row = {"duration_minutes": "60", "mentor_rating": "4"} | {column: value}
    csv = HEADER + (
        f"p1,grace@example.org,Grace,ada@example.org,Ada,s1,{ago(3)},"
        f"{row['duration_minutes']},completed,{row['mentor_rating']},,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream=csv)
    assert [(p.line, p.column) for p in refused.value.problems] == [(2, column)]
    assert not Session.objects.exists()


def test_an_unclosed_quote_is_reported_as_malformed_with_its_line():
    program = make_program()
    csv = HEADER + (
        f"p1,grace@example.org,Grace,ada@example.org,Ada,s1,{ago(3)},60,completed,4,,,\n"
        f'p1,grace@example.org,Grace,ada@example.org,Ada,s2,{ago(2)},60,completed,4,"Great,,\n'
        f"p1,grace@example.org,Grace,ada@example.org,Ada,s3,{ago(1)},60,completed,4,,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream=csv)
    problems = refused.value.problems
    assert [(p.line, p.column) for p in problems] == [(3, "-")]
    assert "never closed" in problems[0].message
    assert not Session.objects.exists()


def test_a_session_id_imported_before_for_another_pairing_is_reported():
    program = make_program()
    record_import(program=program, stream=history_csv())
    moved = HEADER + (
        f"p3,grace@example.org,Grace Hopper,joan@example.org,Joan Clarke,s1,{ago(30)},60,"
        "completed,,,,\n"
    )

    with pytest.raises(ImportRefused) as refused:
        record_import(program=program, stream=moved)

    assert [str(p) for p in refused.value.problems] == [
        "line 2, column session: Session 's1' was imported before for another pairing."
    ]


def test_a_session_id_the_api_gave_in_another_pairing_too_is_found_in_its_own():
    program = make_program()
    record_import(program=program, stream=history_csv())
    other = Pairing.objects.get(external_id="p2")
    # The API's session ids are unique per pairing: p2 may have an "s1" of its own.
    session_record(
        pairing=other,
        starts_at=NOW - timedelta(days=2),
        duration_minutes=30,
        status="completed",
        external_id="s1",
    )

    again = record_import(program=program, stream=history_csv())

    assert (again.sessions_created, again.feedback_created) == (0, 0)
    assert Session.objects.filter(external_id="s1").count() == 2
