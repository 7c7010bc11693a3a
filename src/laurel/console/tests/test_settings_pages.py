"""The organisation and program settings pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from laurel.accounts.models import User
from laurel.programs.factories import make_organisation, make_participant, make_program
from laurel.programs.models import Organisation, Program
from laurel.testing_images import SVG, png_bomb, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return make_organisation("Northwind")


@pytest.fixture
def admin(organisation):
    user = User.objects.create_user(email="ada@example.org", name="Ada")
    organisation.admins.add(user)
    return user


@pytest.fixture
def program(organisation):
    return make_program(organisation, name="Engineering")


def org_url(organisation):
    return reverse("console:organisation_settings", args=[organisation.pk])


def program_url(program):
    return reverse("console:program_settings", args=[program.pk])


def org_form(**changes):
    return {
        "name": "Northwind", "accent_colour": "#1f6feb", "linkedin_organisation_id": "",
        "certificate_layout": "classic", **changes,
    }  # fmt: skip


def test_anonymous_visitors_are_sent_to_sign_in(client, organisation, program):
    for url in (org_url(organisation), program_url(program)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_another_organisations_admin_and_a_participant_get_404(client, organisation, program):
    other = User.objects.create_user(email="o@example.org", name="O")
    make_organisation("Other").admins.add(other)
    participant = make_participant(program)
    for person in (other, participant.user):
        client.force_login(person)
        assert client.get(org_url(organisation)).status_code == 404
        assert client.get(program_url(program)).status_code == 404
        assert client.post(org_url(organisation), org_form(name="Taken")).status_code == 404
    assert Organisation.objects.get(pk=organisation.pk).name == "Northwind"


def test_the_admin_saves_the_organisation(client, admin, organisation):
    client.force_login(admin)
    logo = SimpleUploadedFile("logo.png", png_bytes(64, 64), content_type="image/png")
    response = client.post(
        org_url(organisation),
        org_form(name="Northwind Traders", certificate_layout="modern", logo=logo),
    )
    assert response.status_code == 302
    saved = Organisation.objects.get(pk=organisation.pk)
    assert (saved.name, saved.certificate_layout) == ("Northwind Traders", "modern")
    page = client.get(org_url(organisation)).content.decode()
    assert "The organisation&#x27;s settings are saved." in page
    assert saved.logo.url in page


def test_an_svg_logo_is_refused_next_to_the_field_and_typed_values_stay(
    client, admin, organisation
):
    client.force_login(admin)
    svg = SimpleUploadedFile("logo.png", SVG, content_type="image/png")
    response = client.post(org_url(organisation), org_form(name="Typed name", logo=svg))
    assert response.status_code == 422
    page = response.content.decode()
    error = page.split('id="id_logo_error"', 1)[1].split("</div>", 1)[0]
    assert "SVG images are not accepted" in error
    assert 'value="Typed name"' in page
    assert Organisation.objects.get(pk=organisation.pk).name == "Northwind"


def test_a_bomb_logo_is_refused_next_to_the_field(client, admin, organisation):
    client.force_login(admin)
    bomb = SimpleUploadedFile("logo.png", png_bomb(), content_type="image/png")
    response = client.post(org_url(organisation), org_form(logo=bomb))
    assert response.status_code == 422
    assert "too many pixels" in response.content.decode().split('id="id_logo_error"', 1)[1]


def test_a_bad_linkedin_id_is_explained(client, admin, organisation):
    client.force_login(admin)
    response = client.post(org_url(organisation), org_form(linkedin_organisation_id="acme"))
    page = response.content.decode()
    assert (
        "linkedin.com/company/12345678/admin"
        in page.split('id="id_linkedin_organisation_id_error"', 1)[1]
    )
    assert 'value="acme"' in page


def test_user_text_is_shown_literally(client, admin, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(name="<script>x</script>")
    client.force_login(admin)
    page = client.get(org_url(organisation)).content.decode()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_the_admin_saves_the_program(client, admin, program):
    client.force_login(admin)
    banner = SimpleUploadedFile("b.jpg", png_bytes(400, 100), content_type="image/jpeg")
    response = client.post(
        program_url(program),
        {"name": "Engineering mentoring", "kind": "development", "banner": banner},
    )
    assert response.status_code == 302
    saved = Program.objects.get(pk=program.pk)
    assert (saved.name, saved.kind, saved.allow_both_roles) == (
        "Engineering mentoring", "development", False,
    )  # fmt: skip
    assert saved.banner.name.endswith(".png")


def test_the_program_page_has_its_settings_tab(client, admin, program):
    client.force_login(admin)
    page = client.get(program_url(program)).content.decode()
    assert f'href="{program_url(program)}" aria-current="page"' in page


def test_a_kind_change_that_breaks_the_record_is_refused_next_to_the_field(
    client, admin, organisation
):
    program = make_program(organisation, kind="group")
    from laurel.programs.factories import make_pairing

    make_pairing(program, *[make_participant(program) for _ in range(3)])
    client.force_login(admin)
    response = client.post(program_url(program), {"name": "Renamed", "kind": "one_on_one"})
    assert response.status_code == 422
    error = response.content.decode().split('id="id_kind_error"', 1)[1]
    assert "pair exactly two people" in error
    assert Program.objects.get(pk=program.pk).name == program.name


def test_the_pages_read_a_bounded_number_of_queries(
    client, admin, organisation, program, django_assert_max_num_queries
):
    client.force_login(admin)
    with django_assert_max_num_queries(6):
        assert client.get(org_url(organisation)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(program_url(program)).status_code == 200


def new_program_url(organisation):
    return reverse("console:program_new", args=[organisation.pk])


def test_an_admin_creates_a_program_from_the_console(client, organisation, admin):
    client.force_login(admin)
    home = client.get(reverse("console:home")).content.decode()
    assert f'href="{new_program_url(organisation)}"' in home

    response = client.post(
        new_program_url(organisation), {"name": "Design mentoring", "kind": "one_on_one"}
    )

    program = Program.objects.get(organisation=organisation, name="Design mentoring")
    assert (program.kind, program.allow_both_roles) == ("one_on_one", True)
    assert response["Location"] == reverse("console:participants", args=[program.pk])
    page = client.get(response["Location"]).content.decode()
    assert "“Design mentoring” is created. Add its people next." in page


def test_a_new_program_without_a_name_is_refused_by_the_field_keeping_the_kind(
    client, organisation, admin, django_assert_max_num_queries
):
    client.force_login(admin)
    with django_assert_max_num_queries(6):
        response = client.post(new_program_url(organisation), {"name": "  ", "kind": "group"})

    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_name_error"' in page
    assert response.context["form"]["kind"].value() == "group"
    assert not Program.objects.filter(organisation=organisation).exists()


def test_a_program_is_created_only_by_the_organisations_admins(client, organisation):
    other = make_organisation("Elsewhere")
    stranger = User.objects.create_user(email="eve@example.org", name="Eve")
    other.admins.add(stranger)
    client.force_login(stranger)

    assert client.get(new_program_url(organisation)).status_code == 404
    response = client.post(new_program_url(organisation), {"name": "Mine", "kind": "group"})

    assert response.status_code == 404
    assert not Program.objects.filter(name="Mine").exists()
