"""Issued badges lose their organisation column, which always named the badge's
organisation: the awards stay, and going back fills the column from the badge again. An
award that named another organisation stops the migration rather than being moved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("badges", "0004_issued_badge_counts_from_indexes")]
AFTER = [("badges", "0005_issued_badge_organisation_through_badge")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def awards_before_the_migration(apps):
    """Two organisations with a badge each; one award of each badge. Returns the
    ``(award id, organisation id)`` pairs."""
    Organisation = apps.get_model("programs", "Organisation")
    BadgeDefinition = apps.get_model("badges", "BadgeDefinition")
    IssuedBadge = apps.get_model("badges", "IssuedBadge")
    User = apps.get_model("accounts", "User")
    made = []
    for n in (1, 2):
        organisation = Organisation.objects.create(name=f"Org {n}", slug=f"org-{n}")
        badge = BadgeDefinition.objects.create(
            organisation=organisation, name="Mentor", rule="sessions_as_role", role="mentor",
            threshold=10,
        )  # fmt: skip
        user = User.objects.create(email=f"person{n}@example.org", name=f"Person {n}")
        award = IssuedBadge.objects.create(
            public_id=f"{n:032x}", badge=badge, organisation=organisation, user=user,
            issued_at=datetime(2026, 3, 1, tzinfo=UTC), recipient_name=user.name,
            name="Mentor", colour="#123456", organisation_name=organisation.name,
            rule="sessions_as_role", role="mentor", threshold=10,
        )  # fmt: skip
        made.append((award.pk, organisation.pk))
    return made


@pytest.mark.django_db(transaction=True)
def test_the_awards_stay_and_going_back_names_their_badges_organisations():
    try:
        made = awards_before_the_migration(migrate(BEFORE))

        apps = migrate(AFTER)
        IssuedBadge = apps.get_model("badges", "IssuedBadge")
        assert "organisation" not in {field.name for field in IssuedBadge._meta.get_fields()}
        assert sorted(IssuedBadge.objects.values_list("pk", "badge__organisation_id")) == made

        apps = migrate(BEFORE)
        IssuedBadge = apps.get_model("badges", "IssuedBadge")
        assert sorted(IssuedBadge.objects.values_list("pk", "organisation_id")) == made
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_an_award_naming_another_organisation_stops_the_migration():
    try:
        apps = migrate(BEFORE)
        (stray, _), (_, other_organisation) = awards_before_the_migration(apps)
        apps.get_model("badges", "IssuedBadge").objects.filter(pk=stray).update(
            organisation_id=other_organisation
        )

        with pytest.raises(RuntimeError, match=rf"1 issued badges .* \(ids \[{stray}\]\)"):
            migrate(AFTER)
    finally:
        apps = migrate(BEFORE)
        apps.get_model("badges", "IssuedBadge").objects.all().delete()
        migrate(latest())
