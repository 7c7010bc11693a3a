"""Reads: the counting rule, progress, and who a certificate would be awarded to.

The pages' view models are in ``activity`` (a participant's page) and ``reporting`` (the
admin's report); they read through these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, Min, OuterRef, QuerySet, Subquery

from laurel.bulk import in_list
from laurel.certificates import tables as t
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.programs.models import Participant, Program, Session


@dataclass(frozen=True)
class Counts:
    sessions_completed: int
    sessions_counting: int

    @property
    def missing_feedback_count(self) -> int:
        """Completed sessions that nobody in the pair gave feedback on yet."""
        return self.sessions_completed - self.sessions_counting


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
        people, people_params = in_list("user_id", user_ids)
        members, member_params = in_list("m.user_id", user_ids)
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


def roles_by_user(*, program_id: int, user_ids: list[int]) -> dict[int, list[str]]:
    """Each person's roles in the program (``mentee``, ``mentor``), in one query."""
    roles: dict[int, list[str]] = {}
    if user_ids:
        for user_id, role in (
            Participant.objects.filter(program_id=program_id, user_id__in=user_ids)
            .order_by("role")
            .values_list("user_id", "role")
        ):
            roles.setdefault(user_id, []).append(role)
    return roles


def missing_feedback_by_user(
    *, program_id: int, user_ids: list[int]
) -> dict[int, list[tuple[int, datetime]]]:
    """Each person's completed sessions nobody gave feedback on, as (id, start), in one query."""
    missing: dict[int, list[tuple[int, datetime]]] = {}
    if user_ids:
        for user_id, session_id, starts_at in (
            Session.objects.filter(
                pairing__program_id=program_id,
                pairing__members__user_id__in=user_ids,
                status=Session.Status.COMPLETED,
                first_feedback_at__isnull=True,
            )
            .order_by("starts_at", "pk")
            .values_list("pairing__members__user_id", "pk", "starts_at")
        ):
            missing.setdefault(user_id, []).append((session_id, starts_at))
    return missing


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


def award_fingerprint(user_ids: Iterable[int]) -> str:
    """A short digest of a set of people, to bind a confirmation to the people it showed."""
    digest = hashlib.sha256(",".join(str(u) for u in sorted(set(user_ids))).encode())
    return digest.hexdigest()[:32]


def definitions_due(*, program: Program, user_ids: list[int]) -> list[CertificateDefinition]:
    """Enabled automatic certificates that one of these people has earned but not received.

    On PostgreSQL every certificate of the program is read FOR SHARE. Enabling one, or
    changing its rule, holds it FOR UPDATE while it awards everyone who qualifies; that
    award cannot see progress not yet committed, so a record change must not judge the
    certificate while the change is under way: it waits for it and then sees it as
    committed (or the change waits for this transaction, and then sees its progress).
    All of them are locked, not only the enabled ones, because a row that does not match
    when it is read is not waited for.
    """
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
    definitions = CertificateDefinition.objects.filter(program=program).annotate(due=Exists(earned))
    if connection.vendor == "postgresql":
        sql, params = definitions.query.sql_with_params()
        found = list(CertificateDefinition.objects.raw(f"{sql} FOR SHARE", params))
    else:
        found = list(definitions)
    return [d for d in found if d.enabled and d.is_automatic and getattr(d, "due", False)]


@dataclass(frozen=True)
class ProgressRow:
    """One person's standing towards one certificate, as Track Progress shows it."""

    user_id: int
    participant_id: int
    name: str
    roles: list[str]
    sessions_completed: int
    sessions_counting: int
    sessions_missing_feedback: list[int]
    earned_award_id: int | None


def progress_rows(
    *, definition: CertificateDefinition, after_user_id: int | None = None, limit: int
) -> list[ProgressRow]:
    """Up to ``limit`` people of the certificate's program, by user id, after the given one.

    Reads the maintained progress table: three queries whatever the page size.
    """
    program_id = definition.program_id
    people = Progress.objects.filter(program_id=program_id)
    if after_user_id is not None:
        people = people.filter(user_id__gt=after_user_id)
    rows = list(
        people.annotate(
            participant_id=Subquery(
                Participant.objects.filter(program_id=program_id, user_id=OuterRef("user_id"))
                .values("user_id")
                .annotate(first=Min("id"))
                .values("first")[:1]
            ),
            earned_award_id=Subquery(
                IssuedCertificate.objects.filter(
                    definition_id=definition.pk, user_id=OuterRef("user_id"), is_current=True
                ).values("pk")[:1]
            ),
        )
        .order_by("user_id")
        .values_list(
            "user_id",
            "participant_id",
            "user__name",
            "sessions_completed",
            "sessions_counting",
            "earned_award_id",
        )[:limit]
    )
    user_ids = [row[0] for row in rows]
    roles = roles_by_user(program_id=program_id, user_ids=user_ids)
    missing = {
        user_id: [session_id for session_id, _ in sessions]
        for user_id, sessions in missing_feedback_by_user(
            program_id=program_id, user_ids=user_ids
        ).items()
    }
    return [
        ProgressRow(
            user_id=user_id,
            participant_id=participant_id,
            name=name,
            roles=roles.get(user_id, []),
            sessions_completed=completed,
            sessions_counting=counting,
            sessions_missing_feedback=missing.get(user_id, []),
            earned_award_id=earned,
        )
        for user_id, participant_id, name, completed, counting, earned in rows
    ]


@dataclass(frozen=True)
class Unearned:
    definition: CertificateDefinition
    sessions_counting: int


def earned_certificates(*, program_id: int, user_id: int) -> QuerySet[IssuedCertificate]:
    """The certificates this person holds in this program (current versions)."""
    return IssuedCertificate.objects.filter(
        program_id=program_id, user_id=user_id, is_current=True
    ).order_by("issued_at", "pk")


def unearned_certificates(*, program: Program, user_id: int) -> list[Unearned]:
    """The enabled certificates of ``program`` that this person does not hold yet."""
    counts = progress_for_user(program=program, user_id=user_id)
    definitions = (
        CertificateDefinition.objects.filter(program=program, enabled=True)
        .exclude(
            Exists(
                IssuedCertificate.objects.filter(
                    definition_id=OuterRef("pk"), user_id=user_id, is_current=True
                )
            )
        )
        .order_by("threshold", "pk")
    )
    return [Unearned(d, counts.sessions_counting) for d in definitions]
