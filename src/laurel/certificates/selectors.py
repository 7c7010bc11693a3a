"""Reads: the counting rule, progress, and who a certificate would be awarded to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from laurel.certificates import tables as t
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.programs.models import Program, Session


@dataclass(frozen=True)
class Counts:
    sessions_completed: int
    sessions_counting: int

    @property
    def sessions_missing_feedback(self) -> int:
        return self.sessions_completed - self.sessions_counting


def _in_list(column: str, values: list[int]) -> tuple[str, list[int]]:
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


# The counting rule, straight from the record (PRODUCT.md section 2): for every person in
# the program, their completed sessions across all their pairings in it, and of those the
# ones for which at least one member of the pairing gave feedback.
COUNTING_SQL = f"""
SELECT people.user_id,
       COALESCE(c.sessions_completed, 0),
       COALESCE(c.sessions_counting, 0)
FROM (SELECT DISTINCT user_id FROM {t.PARTICIPANT} WHERE program_id = %s AND {{people}}) people
LEFT JOIN (
    SELECT m.user_id,
           COUNT(*) AS sessions_completed,
           SUM(CASE WHEN EXISTS (SELECT 1 FROM {t.FEEDBACK} f WHERE f.session_id = s.id)
                    THEN 1 ELSE 0 END) AS sessions_counting
    FROM {t.MEMBER} m
    JOIN {t.PAIRING} p ON p.id = m.pairing_id
    JOIN {t.SESSION} s ON s.pairing_id = m.pairing_id
    WHERE p.program_id = %s AND s.status = 'completed' AND {{members}}
    GROUP BY m.user_id
) c ON c.user_id = people.user_id
"""  # noqa: S608 - table names only; values are parameters


def counting_sql(*, program_id: int, user_ids: list[int] | None) -> tuple[str, list[int]]:
    people_params: list[int] = []
    member_params: list[int] = []
    if user_ids is None:
        people = members = "1 = 1"
    else:
        people, people_params = _in_list("user_id", user_ids)
        members, member_params = _in_list("m.user_id", user_ids)
    sql = COUNTING_SQL.format(people=people, members=members)
    return sql, [program_id, *people_params, program_id, *member_params]


def counting_by_user(
    *, program: Program, user_ids: Iterable[int] | None = None
) -> dict[int, Counts]:
    """Each person's sessions completed and counting in ``program``, in one query."""
    sql, params = counting_sql(
        program_id=program.pk, user_ids=None if user_ids is None else list(user_ids)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: Counts(int(row[1]), int(row[2])) for row in cursor.fetchall()}


def progress_for_user(*, program: Program, user_id: int) -> Counts:
    row = (
        Progress.objects.filter(program=program, user_id=user_id)
        .values_list("sessions_completed", "sessions_counting")
        .first()
    )
    return Counts(*row) if row else Counts(0, 0)


def sessions_missing_feedback(*, program: Program, user_id: int) -> QuerySet[Session]:
    """Completed sessions of this person in this program that nobody gave feedback on."""
    return Session.objects.filter(
        pairing__program=program,
        pairing__members__user_id=user_id,
        status=Session.Status.COMPLETED,
        first_feedback_at__isnull=True,
    ).order_by("starts_at")


@dataclass(frozen=True)
class Qualifier:
    user_id: int
    participant_id: int
    name: str


def would_award(*, definition: CertificateDefinition, threshold: int | None) -> list[Qualifier]:
    """Everyone who would receive ``definition`` at once if it were enabled with this rule.

    ``threshold`` None means a manual rule, which awards nobody by itself.
    """
    if threshold is None:
        return []
    sql = f"""
        SELECT g.user_id,
               (SELECT MIN(pt.id) FROM {t.PARTICIPANT} pt
                 WHERE pt.program_id = g.program_id AND pt.user_id = g.user_id),
               u.name
        FROM {t.PROGRESS} g
        JOIN {t.USER} u ON u.id = g.user_id
        WHERE g.program_id = %s AND g.sessions_counting >= %s
          AND NOT EXISTS (SELECT 1 FROM {t.ISSUED} i
                           WHERE i.definition_id = %s AND i.user_id = g.user_id AND i.is_current)
        ORDER BY u.name, g.user_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [definition.program_id, threshold, definition.pk])
        return [Qualifier(row[0], row[1], row[2]) for row in cursor.fetchall()]


def definitions_due(*, program: Program, user_ids: list[int]) -> QuerySet[CertificateDefinition]:
    """Enabled automatic certificates that one of these people has earned but not received."""
    earned = Progress.objects.filter(
        program_id=OuterRef("program_id"),
        user_id__in=user_ids,
        sessions_counting__gte=OuterRef("threshold"),
    ).exclude(
        Exists(
            IssuedCertificate.objects.filter(
                definition_id=OuterRef(OuterRef("pk")), user_id=OuterRef("user_id"), is_current=True
            )
        )
    )
    return CertificateDefinition.objects.filter(
        program=program, enabled=True, rule=CertificateDefinition.Rule.SESSIONS_COMPLETED
    ).filter(Exists(earned))
