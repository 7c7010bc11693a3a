"""The ids of imported pairings and sessions move from the import's mapping tables onto the
record, and back again if the migration is reversed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("imports", "0002_import_runs_and_staged_rows"),
    ("programs", "0004_organisation_and_program_settings_invitations"),
]
AFTER = [("imports", "0003_external_ids_kept_on_the_record")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_mapping_rows_become_external_ids_on_the_record():
    try:
        apps = migrate(BEFORE)
        Organisation = apps.get_model("programs", "Organisation")
        Program = apps.get_model("programs", "Program")
        Pairing = apps.get_model("programs", "Pairing")
        Session = apps.get_model("programs", "Session")
        ImportedPairing = apps.get_model("imports", "ImportedPairing")
        ImportedSession = apps.get_model("imports", "ImportedSession")
        organisation = Organisation.objects.create(name="Acme", slug="acme")
        program = Program.objects.create(organisation=organisation, name="P", kind="one_on_one")
        imported, by_hand = (
            Pairing.objects.create(program=program),
            Pairing.objects.create(program=program),
        )
        starts_at = datetime(2026, 3, 1, 10, tzinfo=UTC)
        sessions = [
            Session.objects.create(
                pairing=pairing,
                starts_at=starts_at,
                duration_minutes=60,
                ends_at=starts_at + timedelta(hours=1),
            )
            for pairing in (imported, imported, by_hand)
        ]
        ImportedPairing.objects.create(program=program, external_id="pair-1", pairing=imported)
        ImportedSession.objects.create(program=program, external_id="s-1", session=sessions[0])
        ImportedSession.objects.create(program=program, external_id="s-2", session=sessions[1])

        apps = migrate(AFTER)
        Pairing = apps.get_model("programs", "Pairing")
        Session = apps.get_model("programs", "Session")
        assert dict(Pairing.objects.values_list("pk", "external_id")) == {
            imported.pk: "pair-1",
            by_hand.pk: None,
        }
        assert dict(Session.objects.values_list("pk", "external_id")) == {
            sessions[0].pk: "s-1",
            sessions[1].pk: "s-2",
            sessions[2].pk: None,
        }

        apps = migrate(BEFORE)
        ImportedPairing = apps.get_model("imports", "ImportedPairing")
        ImportedSession = apps.get_model("imports", "ImportedSession")
        assert list(ImportedPairing.objects.values_list("external_id", "pairing_id")) == [
            ("pair-1", imported.pk)
        ]
        assert sorted(ImportedSession.objects.values_list("external_id", "session_id")) == [
            ("s-1", sessions[0].pk),
            ("s-2", sessions[1].pk),
        ]
    finally:
        migrate(latest())
