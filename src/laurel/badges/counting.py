"""The one aggregate that says how far people are towards a badge.

It reads the kept tallies (never the record): for ``sessions_as_role`` the sum of a role's
sessions over the organisation's programs of the counted kinds; for ``distinct_partners``
the number of different people met in such programs. A session counts once completed, or
once completed with feedback when the rule requires feedback. Awarding, the preview of an
enable, the participant's standing and the console's summaries all read this SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from laurel.badges import tables as t
from laurel.badges.rules import BadgeRule
from laurel.bulk import in_list


def counting_sql(
    *,
    organisation_id: int,
    rule: BadgeRule,
    user_ids: Sequence[int] | None = None,
    program_id: int | None = None,
    minimum: int | None = None,
) -> tuple[str, list[Any]]:
    """``SELECT user_id, count`` over the tallies, one row per person with anything to
    count; narrowed to ``user_ids``, to the people of ``program_id``, and to counts of at
    least ``minimum``."""
    column = "sessions_counting" if rule.feedback_required else "sessions_completed"
    kinds, kind_params = in_list("pr.kind", list(rule.program_kinds))
    if rule.type == "distinct_partners":
        table, count, extra, extra_params = (
            t.PARTNER_TALLY, "COUNT(DISTINCT g.partner_id)", f"g.{column} > 0", [],
        )  # fmt: skip
    else:
        table, count, extra, extra_params = (
            t.ROLE_TALLY, f"SUM(g.{column})", "g.role = %s", [rule.role],
        )  # fmt: skip
    where = [f"g.organisation_id = %s AND {extra} AND {kinds}"]
    params: list[Any] = [organisation_id, *extra_params, *kind_params]
    if user_ids is not None:
        people, people_params = in_list("g.user_id", list(user_ids))
        where.append(people)
        params += people_params
    if program_id is not None:
        where.append(
            f"g.user_id IN (SELECT r.user_id FROM {t.ROLE_TALLY} r WHERE r.program_id = %s)"  # noqa: S608
        )
        params.append(program_id)
    having = ""
    if minimum is not None:
        having = f"HAVING {count} >= %s"
        params.append(minimum)
    sql = f"""
        SELECT g.user_id AS user_id, {count} AS count
        FROM {table} g JOIN {t.PROGRAM} pr ON pr.id = g.program_id
        WHERE {" AND ".join(where)}
        GROUP BY g.user_id {having}
    """  # noqa: S608
    return sql, params
