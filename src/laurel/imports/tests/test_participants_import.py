"""Adding a cohort to a program from CSV: name, email, role."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from laurel.accounts.models import User
from laurel.certificates.factories import make_program
from laurel.errors import Conflict, InvalidInput
from laurel.imports.files import csv_text, csv_text_check
from laurel.imports.models import ImportRun, StagedParticipant
from laurel.imports.participants import participants_import
from laurel.imports.services import ImportRefused, record_import
from laurel.programs.factories import make_participant
from laurel.programs.models import Participant

pytestmark = pytest.mark.django_db

COHORT = (
    "name,email,role\n"
    "Grace Hopper,grace@example.org,mentor\n"
    "Ada Lovelace,Ada@Example.org,mentee\n"
    "Alan Turing,alan@example.org,Mentee\n"
    "Grace Hopper,grace@example.org,mentee\n"
)


def members(program):
    return sorted(Participant.objects.filter(program=program).values_list("user__email", "role"))


def test_it_adds_each_person_in_each_role():
    program = make_program()

    result = participants_import(program=program, stream=COHORT)

    assert (result.rows, result.people_created, result.participants_created) == (4, 3, 4)
    assert members(program) == [
        ("ada@example.org", "mentee"),
        ("alan@example.org", "mentee"),
        ("grace@example.org", "mentee"),
        ("grace@example.org", "mentor"),
    ]
    assert not User.objects.get(email="ada@example.org").has_usable_password()
    run = ImportRun.objects.get(program=program)
    assert (run.kind, run.state, run.rows) == ("participants", "done", 4)
    assert not StagedParticipant.objects.exists()


def test_importing_the_same_file_again_changes_nothing():
    program = make_program()
    participants_import(program=program, stream=COHORT)

    again = participants_import(program=program, stream=COHORT)

    assert (again.people_created, again.participants_created, again.already_in_program) == (
        0,
        0,
        4,
    )
    assert Participant.objects.filter(program=program).count() == 4


def test_people_known_by_their_address_are_reused_and_keep_their_name():
    program = make_program()
    known = make_participant(make_program(), name="Ada King", email="ada@example.org").user

    result = participants_import(
        program=program, stream="name,email,role\nAda Lovelace,ADA@example.org,mentee\n"
    )

    assert (result.people_created, result.participants_created) == (0, 1)
    joined = Participant.objects.get(program=program)
    assert joined.user_id == known.pk
    assert User.objects.get(pk=known.pk).name == "Ada King"


def test_every_bad_row_is_reported_and_nothing_is_written():
    program = make_program()
    stream = (
        "name,email,role\n"
        "Grace Hopper,grace@example.org,mentor\n"
        ",nobody@example.org,mentee\n"
        "Ada Lovelace,not-an-address,mentee\n"
        "Alan Turing,alan@example.org,coach\n"
        "Grace H.,grace@example.org,mentee\n"
        "Grace Hopper,grace@example.org,mentor\n"
    )

    with pytest.raises(ImportRefused) as refused:
        participants_import(program=program, stream=stream)

    assert [str(p) for p in refused.value.problems] == [
        "line 3, column name: Name is required.",
        "line 4, column email: 'not-an-address' is not an email address.",
        "line 5, column role: Unknown role 'coach'; use mentor or mentee.",
        "line 6, column name: 'Grace H.' differs from 'Grace Hopper' on line 2, for the same"
        " email address; one address is one person, so give them one name.",
        "line 7, column email: grace@example.org is also on line 2 as a mentor; list each"
        " person once per role.",
    ]
    assert not Participant.objects.exists()
    assert not User.objects.exists()
    assert ImportRun.objects.get(program=program).state == "refused"
    assert not StagedParticipant.objects.exists()


def test_missing_and_unknown_columns_are_reported_on_line_1():
    with pytest.raises(ImportRefused) as refused:
        participants_import(program=make_program(), stream="name,mail,role\nA,a@example.org,x\n")
    assert [str(p) for p in refused.value.problems] == [
        "line 1, column email: Missing column(s); the header must name them.",
        "line 1, column mail: Unknown column(s); check the spelling.",
    ]


def test_a_file_over_the_row_limit_is_refused_with_what_to_do():
    rows = "".join(f"P{n},p{n}@example.org,mentee\n" for n in range(4))

    with pytest.raises(ImportRefused) as refused:
        participants_import(program=make_program(), stream="name,email,role\n" + rows, max_rows=3)

    assert [(p.line, p.column) for p in refused.value.problems] == [(5, "-")]
    assert "at most 3 rows" in refused.value.problems[0].message
    assert not Participant.objects.exists()


def test_a_file_with_only_a_header_is_refused():
    with pytest.raises(ImportRefused) as refused:
        participants_import(program=make_program(), stream="name,email,role\n")
    assert str(refused.value.problems[0]) == "line 2, column -: The file has no rows to import."


def test_one_import_per_program_at_a_time():
    program = make_program()
    ImportRun.objects.create(
        program=program, state="applying", started_at=timezone.now(), heartbeat_at=timezone.now()
    )

    with pytest.raises(Conflict, match="Another import into this program is under way"):
        participants_import(program=program, stream=COHORT)


def test_the_command_imports_a_file_and_reports_problems(tmp_path):
    program = make_program()
    good, bad = tmp_path / "cohort.csv", tmp_path / "bad.csv"
    good.write_bytes(b"\xef\xbb\xbf" + COHORT.encode())
    bad.write_text("name,email,role\nAda,ada@example.org,guru\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import_participants", "--program", str(program.pk), str(good), stdout=out)
    assert "3 new people, 4 added to the program, 0 already in it" in out.getvalue()

    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_participants", "--program", str(program.pk), str(bad), stderr=err)
    assert "line 2, column role: Unknown role 'guru'" in err.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"PK\x03\x04\x14\x00rest of a workbook", "an Excel or OpenDocument workbook"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\xff\xfen\x00a\x00m\x00e\x00", "saved as UTF-16"),
        (b"name,email\n\x00\x01\x02", "binary data"),
        ("name,email,role\nJosé,j@example.org,mentee\n".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_what_is_not_utf8_csv_text_is_refused_with_a_hint(content, message):
    with pytest.raises(InvalidInput) as refused:
        csv_text_check(io.BytesIO(content))
    assert message in refused.value.errors["file"][0]


def test_utf8_text_with_a_byte_order_mark_reads_as_csv():
    binary = io.BytesIO(b"\xef\xbb\xbf" + "name,email,role\nJosé,j@example.org,mentee\n".encode())
    assert csv_text(binary).read() == "name,email,role\nJosé,j@example.org,mentee\n"


def test_the_record_import_takes_a_row_limit_too():
    rows = "".join(
        f"p{n},m{n}@example.org,M,e{n}@example.org,E,s{n},2026-01-01T10:00:00Z,60,completed\n"
        for n in range(3)
    )
    header = (
        "pairing,mentor_email,mentor_name,mentee_email,mentee_name,session,starts_at,"
        "duration_minutes,status\n"
    )
    with pytest.raises(ImportRefused) as refused:
        record_import(program=make_program(), stream=header + rows, max_rows=2)
    assert [(p.line, p.column) for p in refused.value.problems] == [(4, "-")]


def test_a_program_without_both_roles_refuses_a_second_role_by_line_and_column():
    program = make_program()
    program.allow_both_roles = False
    program.save(update_fields=["allow_both_roles"])
    make_participant(program, name="Joan Clarke", email="joan@example.org", role="mentor")
    stream = (
        "name,email,role\n"
        "Grace Hopper,grace@example.org,mentor\n"
        "Ada Lovelace,ada@example.org,mentee\n"
        "Grace Hopper,Grace@example.org,mentee\n"
        "Joan Clarke,joan@example.org,mentee\n"
        "Joan Clarke,joan@example.org,mentor\n"
    )

    with pytest.raises(ImportRefused) as refused:
        participants_import(program=program, stream=stream)

    assert [str(p) for p in refused.value.problems] == [
        "line 4, column role: grace@example.org is a mentor on line 2 and a mentee here, in a"
        " program which does not let one person be both mentor and mentee.",
        "line 5, column role: joan@example.org is already a mentor in this program, which does"
        " not let one person be both mentor and mentee.",
    ]
    assert members(program) == [("joan@example.org", "mentor")]
    assert not User.objects.filter(email__in=["grace@example.org", "ada@example.org"]).exists()

    # The same file is welcome where a person may hold both roles.
    program.allow_both_roles = True
    program.save(update_fields=["allow_both_roles"])
    result = participants_import(program=program, stream=stream)
    assert (result.participants_created, result.already_in_program) == (4, 1)
