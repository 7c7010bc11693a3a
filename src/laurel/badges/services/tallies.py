"""Keeping the badge tallies up to date as the record changes, and rebuilding them.

``RoleTally`` holds, per person, role and program, the sessions completed and those of
them with feedback; ``PartnerTally`` the same per person and partner (everyone else in
the session's pairing: one person in a 1:1 session, every other attendee in a group
session). Record changes move them set-based, in the transaction of the change
(``tallies_shift``); ``badges_tallies_rebuild`` recomputes an organisation's from the
record and gives the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Literal

from django.db import connection, transaction

from laurel.badges import tables as t
from laurel.bulk import chunks, in_list
from laurel.programs.models import Organisation

COUNTING_WITH_FEEDBACK = "SUM(CASE WHEN s.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END)"


def tallies_ensure(*, program_id: int, user_ids: Iterable[int]) -> None:
    """Give these people of the program a role tally for each role they hold there, so a
    person who has not met anyone yet still stands at 0."""
    wanted = sorted(set(user_ids))
    with connection.cursor() as cursor:
        for chunk in chunks(wanted):
            people, params = in_list("pt.user_id", chunk)
            cursor.execute(
                f"""
                INSERT INTO {t.ROLE_TALLY}
                    (organisation_id, program_id, user_id, role, sessions_completed, sessions_counting)
                SELECT pr.organisation_id, pt.program_id, pt.user_id, pt.role, 0, 0
                FROM {t.PARTICIPANT} pt JOIN {t.PROGRAM} pr ON pr.id = pt.program_id
                WHERE pt.program_id = %s AND {people}
                ON CONFLICT DO NOTHING
                """,  # noqa: S608
                [program_id, *params],
            )


def _deltas(session_sql: str, completed_step: int, counting_sql: str) -> tuple[str, str]:
    role = f"""
        SELECT pr.organisation_id AS organisation_id, p.program_id AS program_id,
               m.user_id AS user_id, pt.role AS role,
               COUNT(*) * {completed_step} AS completed, {counting_sql} AS counting
        FROM {t.SESSION} s
        JOIN {t.PAIRING} p ON p.id = s.pairing_id
        JOIN {t.PROGRAM} pr ON pr.id = p.program_id
        JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
        JOIN {t.PARTICIPANT} pt ON pt.id = m.participant_id
        WHERE {session_sql} AND s.status = 'completed'
        GROUP BY pr.organisation_id, p.program_id, m.user_id, pt.role
    """  # noqa: S608
    partner = f"""
        SELECT pr.organisation_id AS organisation_id, p.program_id AS program_id,
               m.user_id AS user_id, o.user_id AS partner_id,
               COUNT(*) * {completed_step} AS completed, {counting_sql} AS counting
        FROM {t.SESSION} s
        JOIN {t.PAIRING} p ON p.id = s.pairing_id
        JOIN {t.PROGRAM} pr ON pr.id = p.program_id
        JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
        JOIN {t.MEMBER} o ON o.pairing_id = s.pairing_id AND o.user_id <> m.user_id
        WHERE {session_sql} AND s.status = 'completed'
        GROUP BY pr.organisation_id, p.program_id, m.user_id, o.user_id
    """  # noqa: S608
    return role, partner


_KEYS = {t.ROLE_TALLY: ("user_id", "role"), t.PARTNER_TALLY: ("user_id", "partner_id")}


def _locked_first(table: str, delta: str) -> tuple[str, str]:
    """On PostgreSQL, a ``WITH`` that locks the rows a change touches in one order (so two
    transactions touching the same people never wait on each other in a cycle), and the
    condition that makes the statement take those locks before it writes anything."""
    if connection.vendor != "postgresql":
        return "", ""
    on = " AND ".join(f"g.{key} = d.{key}" for key in ("program_id", *_KEYS[table]))
    return (
        f"WITH locked AS MATERIALIZED (SELECT g.id FROM {table} g JOIN ({delta}) d ON {on}"  # noqa: S608
        " ORDER BY g.id FOR UPDATE OF g)",
        "AND (SELECT COUNT(*) FROM locked) >= 0",
    )


def tallies_shift(
    *,
    session_ids: Sequence[int],
    completed_step: Literal[0, 1],
    counting: Literal["with_feedback", 1, -1],
) -> dict[int, list[int]]:
    """Apply a change of these sessions to the tallies of their members. Sessions that are
    not completed are left out: they count for nobody.

    - sessions became completed: ``completed_step=1, counting="with_feedback"`` (rows that
      do not exist yet are created);
    - completed sessions got their first feedback: ``completed_step=0, counting=1``;
    - completed sessions lost their last feedback: ``completed_step=0, counting=-1``.

    Returns the people touched, by organisation.
    """
    counting_sql = (
        COUNTING_WITH_FEEDBACK if counting == "with_feedback" else f"COUNT(*) * {int(counting)}"
    )
    touched: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(sorted(set(session_ids))):
        sessions, params = in_list("s.id", chunk)
        role, partner = _deltas(sessions, int(completed_step), counting_sql)
        with connection.cursor() as cursor:
            for table, delta in ((t.ROLE_TALLY, role), (t.PARTNER_TALLY, partner)):
                lock, locked = _locked_first(table, delta)
                both = [*params, *params] if lock else params
                keys = _KEYS[table]
                returning = (
                    f"RETURNING {table}.organisation_id, {table}.user_id"
                    if table == t.ROLE_TALLY
                    else ""
                )
                if completed_step:
                    columns = ", ".join(("organisation_id", "program_id", *keys))
                    cursor.execute(
                        f"""
                        {lock}
                        INSERT INTO {table} ({columns}, sessions_completed, sessions_counting)
                        SELECT {columns}, completed, counting FROM ({delta}) d
                        WHERE 1 = 1 {locked} ORDER BY program_id, {", ".join(keys)}
                        ON CONFLICT (program_id, {", ".join(keys)}) DO UPDATE SET
                            sessions_completed = {table}.sessions_completed + excluded.sessions_completed,
                            sessions_counting = {table}.sessions_counting + excluded.sessions_counting
                        {returning}
                        """,  # noqa: S608
                        both,
                    )
                else:
                    on = " AND ".join(f"{table}.{key} = d.{key}" for key in ("program_id", *keys))
                    cursor.execute(
                        f"""
                        {lock}
                        UPDATE {table}
                        SET sessions_counting = sessions_counting + d.counting
                        FROM ({delta}) d WHERE {on} {locked}
                        {returning}
                        """,  # noqa: S608
                        both,
                    )
                if returning:
                    for organisation_id, user_id in cursor.fetchall():
                        touched[organisation_id].add(user_id)
    return {organisation_id: sorted(users) for organisation_id, users in touched.items()}


def badges_tallies_rebuild(*, organisation: Organisation) -> int:
    """Recompute the organisation's tallies from the record; returns the rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (t.ROLE_TALLY, t.PARTNER_TALLY):
            cursor.execute(f"DELETE FROM {table} WHERE organisation_id = %s", [organisation.pk])  # noqa: S608
        cursor.execute(
            f"""
            INSERT INTO {t.ROLE_TALLY}
                (organisation_id, program_id, user_id, role, sessions_completed, sessions_counting)
            SELECT pr.organisation_id, pt.program_id, pt.user_id, pt.role,
                   COALESCE(c.completed, 0), COALESCE(c.counting, 0)
            FROM {t.PARTICIPANT} pt
            JOIN {t.PROGRAM} pr ON pr.id = pt.program_id
            LEFT JOIN (
                SELECT m.participant_id, COUNT(*) AS completed, {COUNTING_WITH_FEEDBACK} AS counting
                FROM {t.SESSION} s
                JOIN {t.PAIRING} p ON p.id = s.pairing_id
                JOIN {t.PROGRAM} pp ON pp.id = p.program_id
                JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
                WHERE pp.organisation_id = %s AND s.status = 'completed'
                GROUP BY m.participant_id
            ) c ON c.participant_id = pt.id
            WHERE pr.organisation_id = %s
            """,  # noqa: S608
            [organisation.pk, organisation.pk],
        )
        rows = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {t.PARTNER_TALLY}
                (organisation_id, program_id, user_id, partner_id, sessions_completed, sessions_counting)
            SELECT pr.organisation_id, p.program_id, m.user_id, o.user_id,
                   COUNT(*), {COUNTING_WITH_FEEDBACK}
            FROM {t.SESSION} s
            JOIN {t.PAIRING} p ON p.id = s.pairing_id
            JOIN {t.PROGRAM} pr ON pr.id = p.program_id
            JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
            JOIN {t.MEMBER} o ON o.pairing_id = s.pairing_id AND o.user_id <> m.user_id
            WHERE pr.organisation_id = %s AND s.status = 'completed'
            GROUP BY pr.organisation_id, p.program_id, m.user_id, o.user_id
            """,  # noqa: S608
            [organisation.pk],
        )
        rows += cursor.rowcount
        for table in (t.ROLE_TALLY, t.PARTNER_TALLY):
            cursor.execute(f"ANALYZE {table}")
    return rows
