"""Django admin: the record is browsable, read-only, and scoped to the viewer's organisations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from laurel.accounts.models import User
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "programs_organisation",
    "programs_program",
    "programs_participant",
    "programs_pairing",
    "programs_session",
    "programs_feedback",
    "certificates_certificatedefinition",
    "certificates_progress",
    "certificates_issuedcertificate",
    "certificates_auditentry",
]


def program_named(name: str):
    program = make_program(make_organisation(f"{name} Org"), name=name)
    make_certificate(program, threshold=1, enabled=True, name=f"{name} Certificate")
    mentor = make_participant(program, role="mentor", name=f"{name} Mentor")
    mentee = make_participant(program, name=f"{name} Mentee")
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    return program


@pytest.fixture
def organisation_admin_client(client):
    program = program_named("Northwind")
    program_named("Contoso")
    admin = User.objects.create_user(email="admin@example.org", name="Admin", is_staff=True)
    admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["programs", "certificates"], codename__startswith="view_"
        )
    )
    program.organisation.admins.add(admin)
    client.force_login(admin)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_an_organisation_admin_only_their_organisation(organisation_admin_client, page):
    response = organisation_admin_client.get(reverse(f"admin:{page}_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Contoso" not in body
    assert "add/" not in body.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_it_lists_another_organisations_certificates_for_nobody_but_superusers(client):
    program_named("Contoso")
    superuser = User.objects.create_superuser(email="root@example.org", name="Root")
    client.force_login(superuser)
    body = client.get(reverse("admin:certificates_issuedcertificate_changelist")).content.decode()
    assert "Contoso Certificate" in body


def test_it_does_not_let_anyone_change_the_record(client):
    program = program_named("Northwind")
    client.force_login(User.objects.create_superuser(email="root@example.org", name="Root"))
    assert client.get(reverse("admin:programs_program_add")).status_code == 403
    response = client.post(
        reverse("admin:programs_program_change", args=[program.pk]), {"name": "Renamed"}
    )
    assert response.status_code == 403
    program.refresh_from_db()
    assert program.name == "Northwind"
