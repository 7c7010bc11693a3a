"""Import from CSV in the console: a file checked whole, problems by line and column,
nothing written unless every row is right."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from laurel.accounts.models import User
from laurel.certificates.factories import make_organisation, make_program
from laurel.console import people
from laurel.imports.models import ImportRun
from laurel.programs.models import Pairing, Participant, Session

pytestmark = pytest.mark.django_db

COHORT = (
    "name,email,role\nGrace Hopper,grace@example.org,mentor\nAda Lovelace,ada@example.org,mentee\n"
)


def url(program) -> str:
    return reverse("console:participants_import", args=[program.pk])


@pytest.fixture
def program():
    return make_program(make_organisation("Northwind"), name="Engineering")


@pytest.fixture
def admin_client(client, program):
    admin = User.objects.create_user(email="admin@example.org", name="Admin")
    program.organisation.admins.add(admin)
    client.force_login(admin)
    return client


def upload(client, program, content: bytes | str, *, kind="participants", name="people.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        url(program), {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_a_good_cohort_is_imported_and_summarised(admin_client, program):
    response = upload(admin_client, program, COHORT)

    run = ImportRun.objects.get(program=program)
    assert response.status_code == 302
    assert response["Location"] == f"{url(program)}?run={run.pk}"
    assert Participant.objects.filter(program=program).count() == 2
    page = admin_client.get(response["Location"]).content.decode()
    assert "Imported 2 rows" in page
    assert "<dt>Added to the program</dt><dd>2</dd>" in page


def test_the_same_file_again_changes_nothing(admin_client, program):
    upload(admin_client, program, COHORT)

    response = upload(admin_client, program, COHORT)

    page = admin_client.get(response["Location"]).content.decode()
    assert "<dt>Added to the program</dt><dd>0</dd>" in page
    assert "<dt>Already in the program</dt><dd>2</dd>" in page
    assert Participant.objects.filter(program=program).count() == 2


def test_every_bad_row_is_listed_by_line_and_column_and_nothing_is_written(admin_client, program):
    response = upload(
        admin_client,
        program,
        COHORT + "Alan Turing,alan@example.org,coach\nJoan Clarke,joan.example.org,mentee\n",
    )

    assert response.status_code == 200
    assert [str(p) for p in response.context["problems"]] == [
        "line 4, column role: Unknown role 'coach'; use mentor or mentee.",
        "line 5, column email: 'joan.example.org' is not an email address.",
    ]
    page = response.content.decode()
    assert "2 problems in the file: nothing was imported" in page
    assert "Unknown role &#x27;coach&#x27;; use mentor or mentee." in page
    assert not Participant.objects.exists()


def test_a_sessions_file_imports_the_record(admin_client, program):
    started = (timezone.now() - timedelta(days=3)).replace(microsecond=0).isoformat()
    content = (
        "pairing,mentor_email,mentor_name,mentee_email,mentee_name,session,starts_at,"
        "duration_minutes,status,mentee_rating\n"
        f"p1,grace@example.org,Grace Hopper,ada@example.org,Ada Lovelace,s1,{started},60,"
        "completed,4\n"
    )

    response = upload(admin_client, program, content, kind="record")

    page = admin_client.get(response["Location"]).content.decode()
    assert "<dt>New sessions</dt><dd>1</dd>" in page
    assert Pairing.objects.get(program=program).external_id == "p1"
    assert Session.objects.get().external_id == "s1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV file"),
        ("name,email,role\nJosé,j@example.org,mentee\n".encode("latin-1"), "not UTF-8 text"),
        (b"", "The file is empty; it needs a header row and at least one row."),
    ],
)
def test_what_is_not_csv_text_is_refused_next_to_the_file_field(
    admin_client, program, content, message
):
    response = upload(admin_client, program, content, name="people.xlsx")

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert message in errors[0]
    assert 'id="id_file_error"' in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_over_the_size_limit_is_refused(admin_client, program, monkeypatch):
    monkeypatch.setattr(people, "UPLOAD_MAX_BYTES", 100)

    response = upload(admin_client, program, COHORT * 3)

    assert "may be at most" in response.context["form"].errors["file"][0]
    assert not Participant.objects.exists()


def test_a_file_over_the_row_limit_points_to_the_command(admin_client, program, monkeypatch):
    monkeypatch.setattr(people, "UPLOAD_MAX_ROWS", 1)

    response = upload(admin_client, program, COHORT)

    (problem,) = response.context["problems"]
    assert (problem.line, problem.column) == (3, "-")
    assert "at most 1 rows" in problem.message
    assert "import command" in problem.message
    assert not Participant.objects.exists()


def test_a_second_import_while_one_is_under_way_is_refused_above_the_form(admin_client, program):
    ImportRun.objects.create(
        program=program, state="applying", started_at=timezone.now(), heartbeat_at=timezone.now()
    )

    response = upload(admin_client, program, COHORT)

    (error,) = response.context["form"].non_field_errors()
    assert error.startswith("Another import into this program is under way")
    assert not Participant.objects.exists()


def test_the_kind_of_file_is_kept_when_the_form_comes_back(admin_client, program):
    response = admin_client.post(url(program), {"kind": "record"})

    assert response.context["form"].errors == {"file": ["Choose a CSV file to upload."]}
    assert re.search(r'value="record"[^>]*checked', response.content.decode())


def test_the_page_costs_a_few_queries_whatever_the_history(
    admin_client, program, django_assert_max_num_queries
):
    for _ in range(8):
        upload(admin_client, program, COHORT)
    run = ImportRun.objects.filter(program=program).order_by("pk").last()
    assert run is not None

    with django_assert_max_num_queries(6):
        assert admin_client.get(f"{url(program)}?run={run.pk}").status_code == 200
