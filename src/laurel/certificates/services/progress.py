"""Keeping each person's progress in a program up to date as the record changes, and
rebuilding it from the record.

``Progress`` holds, per person and program, the sessions completed and the sessions
counting under the counting rule (PRODUCT.md section 2). Changes of the record move the
counters set-based (``progress_shift``); ``progress_rebuild`` recomputes them from the
record with the counting rule itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Literal

from django.db import connection, transaction

from laurel.bulk import chunks, in_list
from laurel.certificates import tables as t
from laurel.certificates.models import Progress
from laurel.certificates.selectors import counting_sql
from laurel.programs.models import Program


def progress_ensure(*, program_id: int, user_ids: Iterable[int]) -> None:
    """Give everyone in the program a progress row, so updates and awards can join on it."""
    Progress.objects.bulk_create(
        [Progress(program_id=program_id, user_id=user_id) for user_id in set(user_ids)],
        ignore_conflicts=True,
    )


def progress_shift(
    *,
    session_ids: Sequence[int],
    completed_step: Literal[0, 1],
    counting: Literal["with_feedback", 1, -1],
) -> dict[int, list[int]]:
    """Apply a change of these sessions to their members' progress. Sessions that are not
    completed are left out: they count for nobody.

    - a session became completed: ``completed_step=1, counting="with_feedback"``;
    - a completed session got its first feedback: ``completed_step=0, counting=1``;
    - a completed session lost its last feedback: ``completed_step=0, counting=-1``.

    Returns the people touched, by program.
    """
    if counting == "with_feedback":
        counting_sql_expr = "SUM(CASE WHEN s.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END)"
    else:
        counting_sql_expr = f"COUNT(*) * {int(counting)}"
    touched: dict[int, list[int]] = defaultdict(list)
    for chunk in chunks(session_ids):
        sessions, params = in_list("s.id", chunk)
        delta = f"""
            SELECT p.program_id, m.user_id,
                   COUNT(*) * {int(completed_step)} AS completed,
                   {counting_sql_expr} AS counting
            FROM {t.SESSION} s
            JOIN {t.PAIRING} p ON p.id = s.pairing_id
            JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
            WHERE {sessions} AND s.status = 'completed'
            GROUP BY p.program_id, m.user_id
        """  # noqa: S608
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Lock the rows in one order so two transactions touching the same two
                # people never wait on each other in a cycle.
                cursor.execute(
                    f"SELECT g.id FROM {t.PROGRESS} g JOIN ({delta}) d"  # noqa: S608
                    " ON g.program_id = d.program_id AND g.user_id = d.user_id"
                    " ORDER BY g.id FOR UPDATE OF g",
                    params,
                )
            cursor.execute(
                f"""
                UPDATE {t.PROGRESS}
                SET sessions_completed = sessions_completed + d.completed,
                    sessions_counting = sessions_counting + d.counting
                FROM ({delta}) d
                WHERE {t.PROGRESS}.program_id = d.program_id AND {t.PROGRESS}.user_id = d.user_id
                RETURNING {t.PROGRESS}.program_id, {t.PROGRESS}.user_id
                """,  # noqa: S608
                params,
            )
            for program_id, user_id in cursor.fetchall():
                touched[program_id].append(user_id)
    return dict(touched)


def progress_rebuild(*, program: Program, user_ids: Sequence[int] | None = None) -> int:
    """Recompute progress from the record, for everyone in the program or some people."""
    if user_ids is None:
        batches: list[list[int] | None] = [None]
    else:
        batches = [list(chunk) for chunk in chunks(list(dict.fromkeys(user_ids)))]
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for batch in batches:
            select_sql, params = counting_sql(program_id=program.pk, user_ids=batch)
            people, people_params = ("1 = 1", []) if batch is None else in_list("user_id", batch)
            cursor.execute(
                f"DELETE FROM {t.PROGRESS} WHERE program_id = %s AND {people}",  # noqa: S608
                [program.pk, *people_params],
            )
            cursor.execute(
                f"INSERT INTO {t.PROGRESS} (program_id, user_id, sessions_completed, sessions_counting)"  # noqa: S608
                f" SELECT %s, c.* FROM ({select_sql}) c",
                [program.pk, *params],
            )
            rows += cursor.rowcount
        if user_ids is None:
            # Every row of the program was just replaced: tell the query planner, or it
            # keeps planning awards as if nobody had any sessions.
            cursor.execute(f"ANALYZE {t.PROGRESS}")
    return rows
