"""The console's landing page: the programs an admin administers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.accounts.models import User
from laurel.programs.factories import make_organisation, make_participant, make_program

pytestmark = pytest.mark.django_db

HOME = reverse("console:home")


def admin_of(*organisations) -> User:
    admin = User.objects.create_user(email="admin@example.org", name="Ada Admin")
    for organisation in organisations:
        organisation.admins.add(admin)
    return admin


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_lists_the_programs_of_each_organisation_administered(client):
    northwind, other = make_organisation("Northwind"), make_organisation("Elsewhere")
    engineering = make_program(northwind, name="Engineering mentoring")
    make_participant(engineering)
    make_program(northwind, name="Leadership circle", kind="group")
    make_program(other, name="Not mine")
    client.force_login(admin_of(northwind))

    page = client.get(HOME).content.decode()

    assert "Northwind" in page
    assert "Engineering mentoring" in page
    assert "1 participant" in page
    assert "Leadership circle" in page
    assert "Not mine" not in page
    assert "Elsewhere" not in page
    assert f'href="{reverse("console:participants", args=[engineering.pk])}"' in page


def test_a_programs_certificates_link_opens_content_certificates(client):
    program = make_program(make_organisation("Northwind"), name="Engineering mentoring")
    client.force_login(admin_of(program.organisation))

    page = client.get(HOME).content.decode()
    link = reverse("console:certificates", args=[program.pk])
    assert f'href="{link}">Certificates</a>' in page
    assert reverse("certificates:program_certificates", args=[program.pk]) not in page
    assert client.get(link).status_code == 200


def test_someone_who_administers_nothing_is_told_so(client):
    make_program(make_organisation("Northwind"))
    client.force_login(User.objects.create_user(email="p@example.org", name="P"))
    page = client.get(HOME).content.decode()
    assert "You do not administer any organisation" in page


def test_it_renders_names_literally(client):
    organisation = make_organisation("<b>Acme</b>")
    make_program(organisation, name="<script>alert(1)</script>")
    client.force_login(admin_of(organisation))
    page = client.get(HOME).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;b&gt;Acme&lt;/b&gt;" in page


def test_it_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    organisations = [make_organisation(f"Org {n}") for n in range(3)]
    for organisation in organisations:
        for n in range(4):
            make_participant(make_program(organisation, name=f"P{n}"))
    client.force_login(admin_of(*organisations))
    with django_assert_max_num_queries(6):
        assert client.get(HOME).status_code == 200


def test_it_rejects_post(client):
    client.force_login(admin_of(make_organisation()))
    assert client.post(HOME).status_code == 405


def test_the_header_links_admins_to_the_console_and_nobody_else(client):
    organisation = make_organisation()
    program = make_program(organisation=organisation)
    participant = make_participant(program)
    client.force_login(participant.user)
    console = reverse("console:home")
    assert f'href="{console}"' not in client.get(reverse("home")).content.decode()
    organisation.admins.add(participant.user)
    assert f'href="{console}">Console</a>' in client.get(reverse("home")).content.decode()
    settings_page = client.get(reverse("participation:settings")).content.decode()
    assert f'href="{console}">Console</a>' in settings_page
