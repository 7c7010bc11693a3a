"""Content > Certificates: the list, creating, editing, enabling with its exact
confirmation, disabling, and the preview."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.cache import caches
from django.urls import reverse
from PIL import Image

from laurel.certificates.factories import make_certificate, make_organisation, make_program
from laurel.certificates.models import AuditEntry, CertificateDefinition, IssuedCertificate
from laurel.certificates.selectors import award_fingerprint
from laurel.console import certificates
from laurel.console.tests.helpers import admin_client, admin_of, pair_with_counting_sessions
from laurel.outbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return make_program(make_organisation("Northwind"), name="Engineering")


@pytest.fixture
def client(program):
    return admin_client(program.organisation)


def url(name, program, *args):
    return reverse(f"console:{name}", args=[program.pk, *args])


def form_data(**changes):
    data = {
        "name": "Mentorship Certificate",
        "text": "Presented to {recipient_name} for {sessions_required} sessions.",
        "colour": "#1f6feb",
        "layout": "",
        "rule": "sessions_completed",
        "threshold": "3",
        "guidance": "",
    }
    data.update(changes)
    return data


# --- who may open the pages ---------------------------------------------------------


@pytest.mark.parametrize("name", ["certificates", "certificate_new", "certificate_preview"])
def test_program_pages_404_for_another_organisations_admin(program, name):
    other = admin_client(make_organisation("Other"))
    assert other.get(url(name, program)).status_code == 404


@pytest.mark.parametrize(
    "name", ["certificate_edit", "certificate_enable", "certificate_change_confirm"]
)
def test_certificate_pages_404_for_another_organisations_admin(program, name):
    definition = make_certificate(program)
    other = admin_client(make_organisation("Other"))
    assert other.get(url(name, program, definition.pk)).status_code == 404
    assert other.post(url("certificate_enable", program, definition.pk)).status_code == 404
    definition.refresh_from_db()
    assert not definition.enabled


def test_a_certificate_of_another_program_is_a_404(program, client):
    elsewhere = make_certificate(make_program(program.organisation))
    assert client.get(url("certificate_edit", program, elsewhere.pk)).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(program):
    from django.test import Client

    response = Client().get(url("certificates", program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_participant_gets_a_404(program):
    from django.test import Client

    from laurel.certificates.factories import make_participant

    visitor = Client()
    visitor.force_login(make_participant(program).user)
    assert visitor.get(url("certificates", program)).status_code == 404


# --- the list ---------------------------------------------------------------------


def test_the_list_shows_state_rule_and_earned_counts(program, client):
    pair_with_counting_sessions(program, 3)
    make_certificate(program, threshold=2, enabled=True, name="Bronze")
    make_certificate(program, threshold=8, name="Gold")
    page = client.get(url("certificates", program)).content.decode()
    assert "Bronze" in page and "Gold" in page
    assert "at 2 counting sessions" in page
    assert "at 8 counting sessions" in page
    assert "Enabled" in page and "Disabled" in page
    response = client.get(url("certificates", program))
    bronze = next(s for s in response.context["summaries"] if s.definition.name == "Bronze")
    assert bronze.earned == 2


def test_the_list_says_group_programs_have_no_certificates(client, program):
    group = make_program(program.organisation, kind="group")
    page = client.get(url("certificates", group)).content.decode()
    assert "not yet available in group programs" in page
    assert url("certificate_new", group) not in page


def test_the_old_report_address_redirects_to_reporting(program, client):
    old = reverse("certificates:program_certificates", args=[program.pk])
    response = client.get(old + "?page=2")
    assert response.status_code == 301
    assert response["Location"] == url("reporting", program) + "?page=2"


# --- creating ---------------------------------------------------------------------


def test_create_makes_a_disabled_certificate(program, client):
    response = client.post(url("certificate_new", program), form_data(layout="modern"))
    assert response.status_code == 302
    definition = CertificateDefinition.objects.get(program=program)
    assert (definition.name, definition.threshold, definition.layout) == (
        "Mentorship Certificate",
        3,
        "modern",
    )
    assert not definition.enabled
    assert AuditEntry.objects.filter(action="certificate.created", definition=definition).exists()


def test_create_keeps_the_input_and_puts_errors_beside_fields(program, client):
    typed = form_data(name="My <b>certificate</b>", text="Hello {nickname}", threshold="0")
    response = client.post(url("certificate_new", program), typed)
    assert response.status_code == 422
    page = response.content.decode()
    assert not CertificateDefinition.objects.exists()
    assert 'value="My &lt;b&gt;certificate&lt;/b&gt;"' in page
    assert "Hello {nickname}</textarea>" in page
    assert 'id="threshold-error"' in page
    assert "greater than or equal to 1" in page


def test_create_reports_the_services_message_next_to_the_text(program, client):
    response = client.post(url("certificate_new", program), form_data(text="Hi {nickname}"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="text-error"' in page
    assert "Unknown merge field {nickname}" in page
    assert not CertificateDefinition.objects.exists()


def test_a_threshold_is_needed_for_an_automatic_rule(program, client):
    response = client.post(url("certificate_new", program), form_data(threshold=""))
    assert response.status_code == 422
    assert "Enter how many counting sessions earn it." in response.content.decode()


def test_development_programs_refuse_automatic_certificates_next_to_the_rule(client, program):
    development = make_program(program.organisation, kind="development")
    response = client.post(url("certificate_new", development), form_data())
    assert response.status_code == 422
    assert 'id="rule-error"' in response.content.decode()
    response = client.post(
        url("certificate_new", development),
        form_data(rule="manual", threshold="", guidance="Lead a workshop."),
    )
    assert response.status_code == 302
    definition = CertificateDefinition.objects.get(program=development)
    assert (definition.rule, definition.guidance) == ("manual", "Lead a workshop.")


def test_update_preview_without_javascript_writes_nothing_and_keeps_input(program, client):
    response = client.post(
        url("certificate_new", program), {**form_data(name="Draft"), "preview": "1"}
    )
    assert response.status_code == 200
    assert not CertificateDefinition.objects.exists()
    assert 'value="Draft"' in response.content.decode()
    assert "name=Draft" in response.context["preview_url"]


# --- editing ----------------------------------------------------------------------


def test_edit_changes_the_design_but_not_earned_certificates(program, client):
    definition = make_certificate(
        program, threshold=1, enabled=True, text="Well done {recipient_name}."
    )
    _, mentee = pair_with_counting_sessions(program, 1, mentee_name="Ada")
    award = IssuedCertificate.objects.get(user=mentee.user)
    response = client.post(
        url("certificate_edit", program, definition.pk),
        form_data(text="Bravo {recipient_name}!", colour="#aa3300", threshold="1", layout="modern"),
    )
    assert response.status_code == 303
    definition.refresh_from_db()
    assert (definition.text, definition.colour, definition.layout) == (
        "Bravo {recipient_name}!",
        "#AA3300",
        "modern",
    )
    award.refresh_from_db()
    assert (award.text, award.colour, award.layout) == ("Well done Ada.", "#1F6FEB", "classic")


def test_edit_errors_keep_the_input(program, client):
    definition = make_certificate(program)
    response = client.post(
        url("certificate_edit", program, definition.pk), form_data(name="", text="Kept text")
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="name-error"' in page
    assert "Kept text</textarea>" in page
    definition.refresh_from_db()
    assert definition.name == "Mentorship Certificate"


def test_lowering_the_threshold_asks_for_an_exact_confirmation(program, client):
    definition = make_certificate(program, threshold=5, enabled=True)
    pair_with_counting_sessions(program, 2, mentor_name="Grace", mentee_name="Alan")
    response = client.post(
        url("certificate_edit", program, definition.pk), form_data(threshold="2")
    )
    assert response.status_code == 303
    assert (
        reverse("console:certificate_change_confirm", args=[program.pk, definition.pk])
        in (response["Location"])
    )
    definition.refresh_from_db()
    assert definition.threshold == 5
    assert not IssuedCertificate.objects.exists()

    confirm = client.get(response["Location"])
    page = confirm.content.decode()
    assert "<strong>2 people</strong>" in page
    assert "<li>Alan</li>" in page and "<li>Grace</li>" in page

    done = client.post(
        url("certificate_edit", program, definition.pk),
        {**form_data(threshold="2"), "fingerprint": confirm.context["fingerprint"]},
    )
    assert done.status_code == 303
    definition.refresh_from_db()
    assert definition.threshold == 2
    assert IssuedCertificate.objects.filter(definition=definition).count() == 2


def test_a_changed_set_asks_again_instead_of_saving(program, client):
    definition = make_certificate(program, threshold=5, enabled=True)
    pair_with_counting_sessions(program, 2)
    shown = award_fingerprint([])  # the admin saw a list in which nobody qualified
    response = client.post(
        url("certificate_edit", program, definition.pk),
        {**form_data(threshold="2"), "fingerprint": shown},
    )
    assert response.status_code == 303
    assert "changed=1" in response["Location"]
    definition.refresh_from_db()
    assert definition.threshold == 5
    assert not IssuedCertificate.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "The people who qualify changed" in page


# --- enabling ---------------------------------------------------------------------


def test_enable_shows_exactly_who_will_be_awarded(program, client):
    definition = make_certificate(program, threshold=2)
    pair_with_counting_sessions(program, 2, mentor_name="Zed Mentor", mentee_name="Amy Mentee")
    pair_with_counting_sessions(program, 1, mentor_name="Not Yet", mentee_name="Nor Me")
    response = client.get(url("certificate_enable", program, definition.pk))
    page = response.content.decode()
    assert response.context["count"] == 2
    assert "<strong>2 people</strong>" in page
    assert "<li>Amy Mentee</li>" in page and "<li>Zed Mentor</li>" in page
    assert "Not Yet" not in page and "Nor Me" not in page
    assert "Enable and award 2 people" in page
    definition.refresh_from_db()
    assert not definition.enabled


def test_confirming_enables_awards_and_queues_the_emails(program, client, run_tasks):
    definition = make_certificate(program, threshold=2)
    pair_with_counting_sessions(program, 2)
    shown = client.get(url("certificate_enable", program, definition.pk))
    response = client.post(
        url("certificate_enable", program, definition.pk),
        {"fingerprint": shown.context["fingerprint"]},
    )
    assert response.status_code == 303
    definition.refresh_from_db()
    assert definition.enabled
    assert IssuedCertificate.objects.filter(definition=definition).count() == 2
    assert Message.objects.count() == 2
    run_tasks()
    assert len(mail.outbox) == 2
    follow = client.get(response["Location"]).content.decode()
    assert "awarded to 2 people" in follow


def test_enabling_a_manual_certificate_says_how_to_award_it(program, client):
    definition = make_certificate(program, threshold=None, name="Mentor of the Year")
    pair_with_counting_sessions(program, 5)
    shown = client.get(url("certificate_enable", program, definition.pk))
    assert "enabling it awards nobody now" in shown.content.decode()
    response = client.post(
        url("certificate_enable", program, definition.pk),
        {"fingerprint": shown.context["fingerprint"]},
    )
    assert response.status_code == 303
    definition.refresh_from_db()
    assert definition.enabled
    assert not IssuedCertificate.objects.exists()
    follow = client.get(response["Location"]).content.decode()
    assert "“Mentor of the Year” is enabled. Award it to people from Track Progress." in follow
    assert "Nobody qualifies yet" not in follow


def test_enabling_without_the_shown_list_enables_nothing(program, client):
    definition = make_certificate(program, threshold=2)
    pair_with_counting_sessions(program, 2)
    response = client.post(url("certificate_enable", program, definition.pk), {})
    assert response.status_code == 409
    definition.refresh_from_db()
    assert not definition.enabled
    assert not IssuedCertificate.objects.exists()


def test_someone_qualifying_meanwhile_makes_it_ask_again(program, client):
    definition = make_certificate(program, threshold=2)
    pair_with_counting_sessions(program, 2, mentor_name="First", mentee_name="Second")
    shown = client.get(url("certificate_enable", program, definition.pk))
    pair_with_counting_sessions(program, 2, mentor_name="Third", mentee_name="Fourth")
    response = client.post(
        url("certificate_enable", program, definition.pk),
        {"fingerprint": shown.context["fingerprint"]},
    )
    assert response.status_code == 409
    definition.refresh_from_db()
    assert not definition.enabled
    assert not IssuedCertificate.objects.exists()
    assert not Message.objects.exists()
    page = response.content.decode()
    assert "The people who qualify changed" in page
    assert "<strong>4 people</strong>" in page


def test_the_list_of_people_is_searchable_and_paginated(program, client):
    definition = make_certificate(program, threshold=1)
    for n in range(30):
        pair_with_counting_sessions(
            program, 1, mentor_name=f"Mentor {n:02d}", mentee_name=f"Mentee {n:02d}"
        )
    response = client.get(url("certificate_enable", program, definition.pk))
    assert response.context["count"] == 60
    assert len(response.context["page"].object_list) == 50
    assert "Page 1 of 2" in response.content.decode()
    found = client.get(url("certificate_enable", program, definition.pk) + "?q=mentee 1")
    names = [q.name for q in found.context["page"].object_list]
    assert names == [f"Mentee {n}" for n in range(10, 20)]
    assert found.context["count"] == 60
    assert "10 match “mentee 1”" in found.content.decode()


def test_enabling_a_manual_certificate_says_nobody_is_awarded(client, program):
    definition = make_certificate(program, threshold=None)
    page = client.get(url("certificate_enable", program, definition.pk)).content.decode()
    assert "enabling it awards nobody now" in page


def test_disable_keeps_earned_certificates(program, client):
    definition = make_certificate(program, threshold=1, enabled=True)
    pair_with_counting_sessions(program, 1)
    assert client.get(url("certificate_disable", program, definition.pk)).status_code == 405
    response = client.post(url("certificate_disable", program, definition.pk))
    assert response.status_code == 303
    definition.refresh_from_db()
    assert not definition.enabled
    assert IssuedCertificate.objects.filter(definition=definition, status="valid").count() == 2


# --- the preview ------------------------------------------------------------------


def preview(client, program, **changes):
    return client.get(url("certificate_preview", program), form_data(**changes))


def test_the_preview_is_the_rendered_certificate(program, client):
    pair_with_counting_sessions(program, 0, mentor_name="Sample Person")
    first = preview(client, program, text="One {recipient_name}")
    assert first.status_code == 200
    assert first["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(first.content)) as image:
        assert image.width == 800
    second = preview(client, program, text="Another text entirely {recipient_name}")
    assert second.content != first.content
    assert not CertificateDefinition.objects.exists()


def test_the_preview_refuses_bad_input_with_a_message(program, client):
    response = preview(client, program, colour="red")
    assert response.status_code == 400
    assert "colour" in response.content.decode().lower()
    response = preview(client, program, text="x" * 2001)
    assert response.status_code == 400


def test_the_preview_is_rate_limited(program, client, monkeypatch):
    monkeypatch.setattr(certificates, "PREVIEW_LIMIT", 2)
    caches["memory"].clear()
    statuses = set()
    for _ in range(3):
        statuses.add(preview(client, program, colour="zz").status_code)
        statuses.add(preview(client, program).status_code)
    assert 429 in statuses


# --- queries ----------------------------------------------------------------------


def test_the_pages_query_counts_do_not_grow(program, client, django_assert_max_num_queries):
    definition = make_certificate(program, threshold=1)
    for _ in range(20):
        pair_with_counting_sessions(program, 1)
    with django_assert_max_num_queries(12):
        assert client.get(url("certificates", program)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(url("certificate_enable", program, definition.pk)).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url("certificate_edit", program, definition.pk)).status_code == 200
    with django_assert_max_num_queries(8):
        assert preview(client, program).status_code == 200


def test_admin_of_helper_makes_distinct_admins(program):
    assert admin_of(program.organisation).email != admin_of(program.organisation).email


def test_the_other_rules_field_is_ignored(program, client):
    response = client.post(
        url("certificate_new", program),
        form_data(rule="manual", threshold="-5", guidance="Present your project."),
    )
    assert response.status_code == 302
    definition = CertificateDefinition.objects.get(program=program)
    assert (definition.rule, definition.threshold) == ("manual", None)
