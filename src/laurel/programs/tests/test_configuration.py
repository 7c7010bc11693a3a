"""Organisation and program settings: all or nothing, only by the organisation's admins,
and a kind change that would break the program's data is refused."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage

from laurel.accounts.models import User
from laurel.errors import Conflict, InvalidInput, NotFound
from laurel.programs.configuration import organisation_update, program_update
from laurel.programs.factories import (
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
)
from laurel.programs.models import Organisation, Program
from laurel.programs.services import participant_add
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


def update_organisation(organisation, admin, **changes):
    values = {
        "name": organisation.name,
        "accent_colour": organisation.accent_colour,
        "linkedin_organisation_id": organisation.linkedin_organisation_id,
        "certificate_layout": organisation.certificate_layout,
        **changes,
    }
    return organisation_update(organisation=organisation, by=admin, **values)


def update_program(program, admin, **changes):
    values = {
        "name": program.name,
        "kind": program.kind,
        "allow_both_roles": program.allow_both_roles,
        **changes,
    }
    return program_update(program=program, by=admin, **values)


def test_an_admin_changes_every_organisation_setting(organisation, admin):
    update_organisation(
        organisation, admin, name="Northwind Traders", accent_colour="#aa3300",
        linkedin_organisation_id="12345678", certificate_layout="modern",
        logo=io.BytesIO(png_bytes(64, 64)),
    )  # fmt: skip
    saved = Organisation.objects.get(pk=organisation.pk)
    assert saved.name == "Northwind Traders"
    assert saved.accent_colour == "#AA3300"
    assert saved.linkedin_organisation_id == "12345678"
    assert saved.certificate_layout == "modern"
    assert saved.logo.name.endswith(".png")
    assert default_storage.exists(saved.logo.name)


def test_the_linkedin_page_address_gives_its_id(organisation, admin):
    update_organisation(
        organisation, admin,
        linkedin_organisation_id="https://www.linkedin.com/company/98765/admin/",
    )  # fmt: skip
    assert Organisation.objects.get(pk=organisation.pk).linkedin_organisation_id == "98765"


def test_every_bad_field_is_reported_and_nothing_is_written(organisation, admin):
    with pytest.raises(InvalidInput) as raised:
        update_organisation(
            organisation, admin, name="", accent_colour="blue",
            linkedin_organisation_id="acme", certificate_layout="baroque",
            logo=io.BytesIO(SVG),
        )  # fmt: skip
    assert set(raised.value.errors) == {
        "name", "accent_colour", "linkedin_organisation_id", "certificate_layout", "logo",
    }  # fmt: skip
    assert "SVG" in raised.value.errors["logo"][0]
    saved = Organisation.objects.get(pk=organisation.pk)
    assert (saved.name, saved.accent_colour, saved.logo.name) == ("Northwind", "#1F6FEB", "")


def test_a_logo_bomb_is_refused(organisation, admin):
    with pytest.raises(InvalidInput) as raised:
        update_organisation(organisation, admin, logo=io.BytesIO(png_bomb()))
    assert "too many pixels" in raised.value.errors["logo"][0]


def test_the_logo_can_be_removed(organisation, admin):
    update_organisation(organisation, admin, logo=io.BytesIO(png_bytes()))
    update_organisation(Organisation.objects.get(pk=organisation.pk), admin, remove_logo=True)
    assert Organisation.objects.get(pk=organisation.pk).logo.name == ""


def test_someone_who_does_not_administer_it_cannot_change_it(organisation):
    stranger = User.objects.create_user(email="x@example.org", name="X")
    make_organisation("Other").admins.add(stranger)
    with pytest.raises(NotFound):
        update_organisation(organisation, stranger, name="Mine now")
    assert Organisation.objects.get(pk=organisation.pk).name == "Northwind"


def test_an_admin_changes_the_program(organisation, admin):
    program = make_program(organisation, name="Engineering")
    update_program(
        program, admin, name="Engineering mentoring", kind="development",
        allow_both_roles=False, banner=io.BytesIO(png_bytes(400, 100)),
    )  # fmt: skip
    saved = Program.objects.get(pk=program.pk)
    assert (saved.name, saved.kind, saved.allow_both_roles) == (
        "Engineering mentoring", "development", False,
    )  # fmt: skip
    assert saved.banner.name.endswith(".png")


def test_a_group_program_with_groups_cannot_become_one_to_one(organisation, admin):
    program = make_program(organisation, kind="group")
    make_pairing(program, *[make_participant(program) for _ in range(3)])
    with pytest.raises(Conflict) as raised:
        update_program(program, admin, kind="one_on_one")
    assert (
        "1 pairing in this program has more or fewer than two members"
        in (raised.value.errors["kind"][0])
    )
    assert Program.objects.get(pk=program.pk).kind == "group"


def test_both_roles_cannot_be_switched_off_while_someone_holds_both(organisation, admin):
    program = make_program(organisation)
    participant_add(program=program, email="zoe@example.org", name="Zoë", role="mentor")
    participant_add(program=program, email="zoe@example.org", name="Zoë", role="mentee")
    with pytest.raises(Conflict) as raised:
        update_program(program, admin, allow_both_roles=False)
    assert (
        "1 person is both mentor and mentee here (Zoë)"
        in (raised.value.errors["allow_both_roles"][0])
    )
    assert Program.objects.get(pk=program.pk).allow_both_roles is True


def test_a_program_that_refuses_both_roles_refuses_the_second_role(organisation, admin):
    program = make_program(organisation)
    update_program(program, admin, allow_both_roles=False)
    program.refresh_from_db()
    participant_add(program=program, email="zoe@example.org", name="Zoë", role="mentor")
    with pytest.raises(Conflict, match="does not let one person be both"):
        participant_add(program=program, email="zoe@example.org", name="Zoë", role="mentee")


def test_a_banner_that_is_not_an_image_is_refused(organisation, admin):
    program = make_program(organisation)
    with pytest.raises(InvalidInput) as raised:
        update_program(program, admin, banner=io.BytesIO(b"%PDF-1.4 not an image"))
    assert "PDF document" in raised.value.errors["banner"][0]
