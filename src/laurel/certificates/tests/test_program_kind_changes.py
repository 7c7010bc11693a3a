"""A program's kind follows its certificates: group programs have none yet, and
development programs award by hand only (the certificates app refuses the change)."""

from __future__ import annotations

import pytest

from laurel.accounts.models import User
from laurel.certificates.factories import make_certificate, make_organisation, make_program
from laurel.certificates.models import CertificateDefinition
from laurel.errors import Conflict
from laurel.programs.configuration import program_update
from laurel.programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return make_organisation("Northwind")


@pytest.fixture
def admin(organisation):
    user = User.objects.create_user(email="ada@example.org", name="Ada")
    organisation.admins.add(user)
    return user


def update_program(program, admin, **changes):
    values = {"name": program.name, "kind": program.kind, "allow_both_roles": True, **changes}
    return program_update(program=program, by=admin, **values)


def test_a_program_with_certificates_cannot_become_a_group_program(organisation, admin):
    program = make_program(organisation)
    make_certificate(program, threshold=3, name="Three sessions")
    with pytest.raises(Conflict) as raised:
        update_program(program, admin, kind="group", name="Renamed")
    assert "not yet available in group programs" in raised.value.errors["kind"][0]
    assert "Three sessions" in raised.value.errors["kind"][0]
    saved = Program.objects.get(pk=program.pk)
    assert (saved.kind, saved.name) == ("one_on_one", program.name)


def test_automatic_certificates_keep_a_program_from_becoming_development(organisation, admin):
    program = make_program(organisation)
    make_certificate(program, threshold=3, name="Three sessions")
    with pytest.raises(Conflict) as raised:
        update_program(program, admin, kind="development")
    assert "by hand only" in raised.value.errors["kind"][0]
    assert Program.objects.get(pk=program.pk).kind == "one_on_one"


def test_manual_certificates_go_along_to_a_development_program(organisation, admin):
    program = make_program(organisation)
    make_certificate(program, threshold=None, name="Mentor of the year")
    update_program(program, admin, kind="development")
    assert Program.objects.get(pk=program.pk).kind == "development"
    assert CertificateDefinition.objects.filter(program=program).count() == 1


def test_a_program_without_certificates_becomes_a_group_program(organisation, admin):
    program = make_program(organisation)
    update_program(program, admin, kind="group")
    assert Program.objects.get(pk=program.pk).kind == "group"
