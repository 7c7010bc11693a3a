"""Tallies rebuilt from the record (the command, and the migration that gives organisations
from before badges their defaults and tallies) equal the tallies kept as the record changed."""

from __future__ import annotations

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from laurel.badges.factories import (
    give_feedback,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.badges.models import BadgeDefinition, PartnerTally, RoleTally
from laurel.badges.tests.helpers import default

pytestmark = pytest.mark.django_db

migration = importlib.import_module("laurel.badges.migrations.0002_badgecore_defaults")


def a_record():
    organisation = make_organisation()
    one_on_one, group = make_program(organisation), make_program(organisation, kind="group")
    mentor, mentee = make_participant(one_on_one, role="mentor"), make_participant(one_on_one)
    pairing = make_pairing(one_on_one, mentor, mentee)
    give_feedback(make_session(pairing, days_ago=3), mentee)
    make_session(pairing, days_ago=2)
    make_session(pairing, status="scheduled", days_ago=-2)
    people = [make_participant(group, role="mentor")] + [make_participant(group) for _ in range(3)]
    circle = make_pairing(group, *people)
    give_feedback(make_session(circle, days_ago=1), people[1])
    make_participant(one_on_one, name="Not yet paired")
    return organisation


def tallies():
    return (
        sorted(
            RoleTally.objects.values_list(
                "organisation_id", "program_id", "user_id", "role",
                "sessions_completed", "sessions_counting",
            )
        ),
        sorted(
            PartnerTally.objects.values_list(
                "organisation_id", "program_id", "user_id", "partner_id",
                "sessions_completed", "sessions_counting",
            )
        ),
    )  # fmt: skip


def test_the_command_rebuilds_what_was_kept():
    organisation = a_record()
    kept = tallies()
    assert len(kept[0]) == 7 and len(kept[1]) == 2 + 12
    RoleTally.objects.update(sessions_completed=99, sessions_counting=0)
    PartnerTally.objects.all().delete()
    out = StringIO()
    call_command("rebuild_badge_tallies", organisation=organisation.pk, stdout=out)
    assert tallies() == kept
    assert f"{organisation.name}: badge tallies rebuilt (21 rows)" in out.getvalue()


def test_the_command_refuses_an_unknown_organisation():
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("rebuild_badge_tallies", organisation=999_999, stderr=err)
    assert "no organisation with id 999999" in err.getvalue()


def test_the_migration_gives_existing_organisations_defaults_and_tallies():
    organisation = a_record()
    kept = tallies()
    edited = default(organisation, "mentor")
    edited.threshold = 5
    edited.save()
    BadgeDefinition.objects.exclude(pk=edited.pk).delete()
    RoleTally.objects.all().delete()
    PartnerTally.objects.all().delete()

    migration.defaults_and_tallies(apps, SimpleNamespace(connection=connection))

    assert tallies() == kept
    badges = BadgeDefinition.objects.filter(organisation=organisation).order_by("default_key")
    assert [(b.default_key, b.threshold, b.enabled) for b in badges] == [
        ("connector", 10, False), ("mentee", 10, False), ("mentor", 5, False),
        ("super_mentor", 40, False),
    ]  # fmt: skip
