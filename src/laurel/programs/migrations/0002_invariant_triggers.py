"""Invariants that span tables, which CHECK constraints cannot express.

- feedback is given only by a member of the session's pairing;
- a completed or cancelled session keeps its status (completion is final).
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER feedback_author_is_member_insert BEFORE INSERT ON programs_feedback
    WHEN NOT EXISTS (
        SELECT 1 FROM programs_pairingmember m JOIN programs_session s ON s.pairing_id = m.pairing_id
        WHERE s.id = NEW.session_id AND m.participant_id = NEW.author_id)
    BEGIN SELECT RAISE(ABORT, 'feedback author is not a member of the session pairing'); END
    """,
    """
    CREATE TRIGGER feedback_author_is_member_update BEFORE UPDATE OF session_id, author_id
    ON programs_feedback
    WHEN NOT EXISTS (
        SELECT 1 FROM programs_pairingmember m JOIN programs_session s ON s.pairing_id = m.pairing_id
        WHERE s.id = NEW.session_id AND m.participant_id = NEW.author_id)
    BEGIN SELECT RAISE(ABORT, 'feedback author is not a member of the session pairing'); END
    """,
    """
    CREATE TRIGGER session_status_is_final BEFORE UPDATE OF status ON programs_session
    WHEN OLD.status <> 'scheduled' AND NEW.status <> OLD.status
    BEGIN SELECT RAISE(ABORT, 'a completed or cancelled session keeps its status'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER feedback_author_is_member_insert",
    "DROP TRIGGER feedback_author_is_member_update",
    "DROP TRIGGER session_status_is_final",
]

POSTGRESQL = [
    """
    CREATE FUNCTION programs_feedback_author_is_member() RETURNS trigger AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM programs_pairingmember m
            JOIN programs_session s ON s.pairing_id = m.pairing_id
            WHERE s.id = NEW.session_id AND m.participant_id = NEW.author_id) THEN
            RAISE EXCEPTION 'feedback author is not a member of the session pairing'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER feedback_author_is_member BEFORE INSERT OR UPDATE OF session_id, author_id
    ON programs_feedback FOR EACH ROW EXECUTE FUNCTION programs_feedback_author_is_member()
    """,
    """
    CREATE FUNCTION programs_session_status_is_final() RETURNS trigger AS $$
    BEGIN
        IF OLD.status <> 'scheduled' AND NEW.status <> OLD.status THEN
            RAISE EXCEPTION 'a completed or cancelled session keeps its status'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER session_status_is_final BEFORE UPDATE OF status ON programs_session
    FOR EACH ROW EXECUTE FUNCTION programs_session_status_is_final()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER feedback_author_is_member ON programs_feedback",
    "DROP FUNCTION programs_feedback_author_is_member()",
    "DROP TRIGGER session_status_is_final ON programs_session",
    "DROP FUNCTION programs_session_status_is_final()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
