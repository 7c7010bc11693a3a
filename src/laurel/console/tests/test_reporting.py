"""Reporting: summary figures, the chart, each person's progress, the sessions waiting for
feedback, and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.reporting import progress_bands
from laurel.certificates.services import award_revoke
from laurel.console.reporting import csv_cell
from laurel.console.tests.helpers import admin_of, pair_with_counting_sessions

pytestmark = pytest.mark.django_db


def url(program) -> str:
    return reverse("console:reporting", args=[program.pk])


def export_url(program) -> str:
    return reverse("console:reporting_export", args=[program.pk])


@pytest.fixture
def program():
    return make_program(make_organisation("Northwind"), name="Engineering")


@pytest.fixture
def admin_client(client, program):
    client.force_login(admin_of(program.organisation))
    return client


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(text)))


def test_it_redirects_anonymous_visitors_to_log_in(client, program):
    for address in (url(program), export_url(program)):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_404s_for_another_organisation(client, program):
    client.force_login(admin_of(make_organisation("Other")))
    assert client.get(url(program)).status_code == 404
    assert client.get(export_url(program)).status_code == 404


def test_it_404s_for_a_participant_of_the_program(client, program):
    client.force_login(make_participant(program).user)
    assert client.get(url(program)).status_code == 404
    assert client.get(export_url(program)).status_code == 404


def test_it_rejects_post(admin_client, program):
    assert admin_client.post(url(program)).status_code == 405


def test_it_shows_summary_figures(admin_client, program):
    definition = make_certificate(program, threshold=2, enabled=True, name="Bronze")
    mentor, earner = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, earner)
    give_feedback(make_session(pairing, days_ago=9), earner)
    give_feedback(make_session(pairing, days_ago=8), earner)
    starter = make_participant(program)
    other_mentor = make_participant(program, role="mentor")
    starter_pairing = make_pairing(program, other_mentor, starter)
    give_feedback(make_session(starter_pairing, days_ago=3), starter)
    make_session(starter_pairing, days_ago=2)
    make_participant(program)
    award_revoke(
        award=IssuedCertificate.objects.get(definition=definition, user=mentor.user),
        by=None,
        reason="Logged in error.",
    )
    response = admin_client.get(url(program))
    report = response.context["report"]
    assert report.participants == 5
    [summary] = report.summaries
    assert (summary.earned, summary.revoked, summary.in_progress, summary.not_started) == (
        1,
        1,
        2,
        1,
    )
    figures = report.figures
    assert (figures.participants, figures.started, figures.waiting_for_feedback) == (5, 4, 2)
    assert figures.sessions_waiting == 2
    page = response.content.decode()
    assert "Earned “Bronze”" in page
    assert "2 sessions without feedback" in page


def test_the_chart_counts_people_by_how_far_they_are(admin_client, program):
    make_certificate(program, threshold=4, enabled=True)
    pair_with_counting_sessions(program, 0)
    pair_with_counting_sessions(program, 1)
    pair_with_counting_sessions(program, 3)
    pair_with_counting_sessions(program, 5)
    bands = progress_bands(program=program, target=4)
    assert [(b.low, b.high, b.people) for b in bands] == [
        (0, 0, 2),
        (1, 1, 2),
        (2, 2, 0),
        (3, 3, 2),
        (4, None, 2),
    ]
    page = admin_client.get(url(program)).content.decode()
    assert "4 or more" in page
    assert "People by number of counting sessions" in page


def test_bands_cover_large_thresholds_without_gaps(program):
    for _ in range(7):
        make_participant(program)  # nobody counts
    pair_with_counting_sessions(program, 0)
    bands = progress_bands(program=program, target=100)
    assert [(b.low, b.high) for b in bands] == [
        (0, 0),
        (1, 20),
        (21, 40),
        (41, 60),
        (61, 80),
        (81, 99),
        (100, None),
    ]
    assert sum(b.people for b in bands) == 9


def test_it_shows_each_participants_progress(admin_client, program):
    definition = make_certificate(program, threshold=2, enabled=True, name="Mentorship")
    make_certificate(program, threshold=4, enabled=True, name="Advanced")
    mentor = make_participant(program, role="mentor", name="Mentor Person")
    mentee = make_participant(program, name="Zoë Ødegaard")
    make_participant(program, role="mentor", name="Zoë Ødegaard", email=mentee.user.email)
    pairing = make_pairing(program, mentor, mentee)
    give_feedback(make_session(pairing, days_ago=30), mentee)
    give_feedback(make_session(pairing, days_ago=20), mentor)
    waiting = make_session(pairing, days_ago=10)
    response = admin_client.get(url(program))
    row = next(r for r in response.context["report"].rows if r.user_id == mentee.user_id)
    assert row.roles == ["Mentee", "Mentor"]
    assert (row.sessions_completed, row.sessions_counting) == (3, 2)
    assert row.sessions_missing_feedback == [waiting.starts_at]
    assert row.waiting[0].partners == ["Mentor Person"]
    assert row.waiting[0].pairing_id == pairing.pk
    award = IssuedCertificate.objects.get(definition=definition, user=mentee.user)
    assert row.certificates[0].award == award
    assert row.certificates[1].percent == 50.0
    page = response.content.decode()
    assert "Zoë Ødegaard" in page
    assert "Mentee, Mentor" in page
    assert f"{award.issued_at:%-d %b %Y}" in page
    assert f"{waiting.starts_at:%-d %b %Y}" in page
    assert "with Mentor Person" in page
    assert "2 of 4" in page


def test_it_renders_names_literally(admin_client, program):
    make_participant(program, name="<img src=x onerror=alert(1)>")
    page = admin_client.get(url(program)).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_it_paginates_fifty_people_a_page(admin_client, program):
    for n in range(55):
        make_participant(program, name=f"Person {n:02d}")
    first = admin_client.get(url(program))
    assert len(first.context["report"].rows) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = admin_client.get(url(program) + "?page=2")
    assert [r.name for r in second.context["report"].rows] == [f"Person {n}" for n in range(50, 55)]
    assert admin_client.get(url(program) + "?page=nonsense").status_code == 200


def program_with_people(pairs: int):
    organisation = make_organisation()
    program = make_program(organisation)
    make_certificate(program, threshold=1, enabled=True)
    make_certificate(program, threshold=5, enabled=False, name="Advanced")
    for _ in range(pairs):
        mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
        pairing = make_pairing(program, mentor, mentee)
        give_feedback(make_session(pairing, days_ago=9), mentee)
        make_session(pairing, days_ago=2)
    client = Client()
    client.force_login(admin_of(organisation))
    return client, program


def test_its_query_count_does_not_grow_with_participants(django_assert_num_queries):
    small_client, small = program_with_people(2)
    with CaptureQueriesContext(connection) as captured:
        assert small_client.get(url(small)).status_code == 200
    assert len(captured) <= 14
    large_client, large = program_with_people(30)
    with django_assert_num_queries(len(captured)):
        response = large_client.get(url(large))
    assert len(response.context["report"].rows) == 50


# --- the export -------------------------------------------------------------------


def test_the_export_lists_everyone_with_their_progress(admin_client, program):
    make_certificate(program, threshold=1, enabled=True, name="Bronze")
    make_certificate(program, threshold=3, name="Gold")
    mentor, _ = pair_with_counting_sessions(
        program, 1, mentor_name="Grace Hopper", mentee_name="Alan Turing"
    )
    make_session(mentor.memberships.get().pairing, days_ago=1)
    make_participant(program, name="Newcomer")
    response = admin_client.get(export_url(program))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Name",
        "Email",
        "Roles",
        "Sessions completed",
        "Sessions counting",
        "Completed sessions waiting for feedback",
        "Bronze",
        "Bronze: earned on",
        "Gold",
        "Gold: earned on",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Grace Hopper", "Alan Turing", "Newcomer"}
    grace = by_name["Grace Hopper"]
    award = IssuedCertificate.objects.get(user=mentor.user)
    assert grace[2:] == ["Mentor", "2", "1", "1", "earned", award.issued_at.date().isoformat(),
                         "1 of 3", ""]  # fmt: skip
    assert by_name["Newcomer"][2:] == ["Mentee", "0", "0", "0", "0 of 1", "", "0 of 3", ""]


def test_the_export_is_safe_to_open_in_a_spreadsheet(admin_client, program):
    for name in ('=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "Plain"):
        make_participant(program, name=name)
    rows = read_csv(admin_client.get(export_url(program)))
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted(['\'=HYPERLINK("http://x")', "'+1", "'-1", "'@SUM(A1)", "Plain"])


def test_csv_cell_prefixes_formula_starts():
    assert [csv_cell(v) for v in ("=1", "+1", "-1", "@1", "\t1", "\r1", "a=1", 5, None)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@1",
        "'\t1",
        "'\r1",
        "a=1",
        "5",
        "",
    ]


def test_the_export_reads_people_a_chunk_at_a_time(admin_client, program, monkeypatch):
    from laurel.certificates import reporting

    monkeypatch.setattr(reporting, "EXPORT_CHUNK", 3)
    for n in range(10):
        make_participant(program, name=f"Person {n}")
    response = admin_client.get(export_url(program))
    with CaptureQueriesContext(connection) as captured:
        rows = read_csv(response)
    assert len(rows) == 11
    people_reads = [q for q in captured if "LIMIT 3" in q["sql"]]
    assert len(people_reads) == 5  # 3 + 3 + 3 + 1, then an empty read


def test_the_old_page_name_still_reaches_reporting(admin_client, program):
    old = reverse("certificates:program_certificates", args=[program.pk])
    assert admin_client.get(old, follow=True).redirect_chain[-1][0] == url(program)


def test_the_old_page_tells_nobody_else_that_the_program_exists(client, program):
    old = reverse("certificates:program_certificates", args=[program.pk])
    assert client.get(old)["Location"].startswith(reverse("accounts:login"))
    client.force_login(admin_of(make_organisation("Other")))
    assert client.get(old).status_code == 404
