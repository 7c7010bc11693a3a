"""Organisations that existed before badges get the four default badges (disabled, as a
new organisation gets them), and the badge tallies are computed from the record they
already hold, as ``badges_tallies_rebuild`` computes them: set-based, one statement per
table."""

from django.db import migrations
from django.utils import timezone

DEFAULTS = [
    ("mentor", "Mentor", "Held 10 sessions as a mentor.", "sessions_as_role", "mentor", 10),
    ("mentee", "Mentee", "Held 10 sessions as a mentee.", "sessions_as_role", "mentee", 10),
    ("super_mentor", "Super Mentor", "Held 40 sessions as a mentor.", "sessions_as_role", "mentor", 40),
    ("connector", "Connector", "Held sessions with 10 different people.", "distinct_partners", "", 10),
]  # fmt: skip

COUNTING = "SUM(CASE WHEN s.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END)"


def defaults_and_tallies(apps, schema_editor):
    Organisation = apps.get_model("programs", "Organisation")
    BadgeDefinition = apps.get_model("badges", "BadgeDefinition")
    now = timezone.now()
    BadgeDefinition.objects.bulk_create(
        [
            BadgeDefinition(
                organisation_id=organisation_id, default_key=key, name=name,
                description=description, rule=rule, role=role, threshold=threshold,
                feedback_required=False, program_kinds=["one_on_one"], enabled=False,
                created_at=now, updated_at=now,
            )  # fmt: skip
            for organisation_id in Organisation.objects.values_list("pk", flat=True)
            for key, name, description, rule, role, threshold in DEFAULTS
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    names = {
        name: apps.get_model(*label.split("."))._meta.db_table
        for name, label in (
            ("role_tally", "badges.RoleTally"),
            ("partner_tally", "badges.PartnerTally"),
            ("participant", "programs.Participant"),
            ("program", "programs.Program"),
            ("pairing", "programs.Pairing"),
            ("member", "programs.PairingMember"),
            ("session", "programs.Session"),
        )
    }
    quote = schema_editor.connection.ops.quote_name
    t = {name: quote(table) for name, table in names.items()}
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {t['role_tally']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {t['partner_tally']}")  # noqa: S608
        cursor.execute(
            f"""
            INSERT INTO {t["role_tally"]}
                (organisation_id, program_id, user_id, role, sessions_completed, sessions_counting)
            SELECT pr.organisation_id, pt.program_id, pt.user_id, pt.role,
                   COALESCE(c.completed, 0), COALESCE(c.counting, 0)
            FROM {t["participant"]} pt
            JOIN {t["program"]} pr ON pr.id = pt.program_id
            LEFT JOIN (
                SELECT m.participant_id, COUNT(*) AS completed, {COUNTING} AS counting
                FROM {t["session"]} s JOIN {t["member"]} m ON m.pairing_id = s.pairing_id
                WHERE s.status = 'completed'
                GROUP BY m.participant_id
            ) c ON c.participant_id = pt.id
            """  # noqa: S608
        )
        cursor.execute(
            f"""
            INSERT INTO {t["partner_tally"]}
                (organisation_id, program_id, user_id, partner_id, sessions_completed, sessions_counting)
            SELECT pr.organisation_id, p.program_id, m.user_id, o.user_id, COUNT(*), {COUNTING}
            FROM {t["session"]} s
            JOIN {t["pairing"]} p ON p.id = s.pairing_id
            JOIN {t["program"]} pr ON pr.id = p.program_id
            JOIN {t["member"]} m ON m.pairing_id = s.pairing_id
            JOIN {t["member"]} o ON o.pairing_id = s.pairing_id AND o.user_id <> m.user_id
            WHERE s.status = 'completed'
            GROUP BY pr.organisation_id, p.program_id, m.user_id, o.user_id
            """  # noqa: S608
        )


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0001_initial"),
        ("programs", "0005_pairing_and_session_external_ids"),
    ]

    operations = [migrations.RunPython(defaults_and_tallies, migrations.RunPython.noop)]
