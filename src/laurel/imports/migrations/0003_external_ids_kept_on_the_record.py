"""The ids that imported pairings and sessions had in their own systems move from the
import's mapping tables onto the record (``Pairing.external_id``, ``Session.external_id``),
where the API's ``external_id`` finds them too. One UPDATE per table, then the mapping
tables go."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def ids_onto_the_record(apps, schema_editor):
    Pairing = apps.get_model("programs", "Pairing")
    Session = apps.get_model("programs", "Session")
    ImportedPairing = apps.get_model("imports", "ImportedPairing")
    ImportedSession = apps.get_model("imports", "ImportedSession")
    Pairing.objects.filter(pk__in=ImportedPairing.objects.values("pairing_id")).update(
        external_id=Subquery(
            ImportedPairing.objects.filter(pairing_id=OuterRef("pk")).values("external_id")[:1]
        )
    )
    Session.objects.filter(pk__in=ImportedSession.objects.values("session_id")).update(
        external_id=Subquery(
            ImportedSession.objects.filter(session_id=OuterRef("pk")).values("external_id")[:1]
        )
    )


def ids_back_into_the_mapping_tables(apps, schema_editor):
    Pairing = apps.get_model("programs", "Pairing")
    Session = apps.get_model("programs", "Session")
    ImportedPairing = apps.get_model("imports", "ImportedPairing")
    ImportedSession = apps.get_model("imports", "ImportedSession")
    # The mapping tables held ids unique per program. Sessions given the same id in two
    # pairings of a program (which the API allows) keep only the first of them.
    connection = schema_editor.connection
    pairings = (
        ImportedPairing._meta.db_table,
        Pairing._meta.db_table,
        ImportedSession._meta.db_table,
        Session._meta.db_table,
    )
    imported_pairing, pairing, imported_session, session = (
        connection.ops.quote_name(name) for name in pairings
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {imported_pairing} (program_id, external_id, pairing_id)"
            f" SELECT program_id, external_id, id FROM {pairing}"
            " WHERE external_id IS NOT NULL"
        )
        cursor.execute(
            f"INSERT INTO {imported_session} (program_id, external_id, session_id)"
            f" SELECT p.program_id, s.external_id, MIN(s.id) FROM {session} s"
            f" JOIN {pairing} p ON p.id = s.pairing_id"
            " WHERE s.external_id IS NOT NULL GROUP BY p.program_id, s.external_id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_import_runs_and_staged_rows"),
        ("programs", "0005_pairing_and_session_external_ids"),
    ]

    operations = [
        migrations.RunPython(ids_onto_the_record, ids_back_into_the_mapping_tables),
        migrations.DeleteModel(name="ImportedPairing"),
        migrations.DeleteModel(name="ImportedSession"),
    ]
