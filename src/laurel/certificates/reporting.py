"""An admin's view of a program's certificates: where its participants stand, per
certificate and per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from laurel.certificates import tables as t
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.certificates.selectors import missing_feedback_by_user, roles_by_user
from laurel.programs.models import Participant, Program


def _count_of(queryset: QuerySet[Progress] | QuerySet[CertificateDefinition]) -> Coalesce:
    counted = queryset.values("program_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def programs_administered_by(*, user_id: int) -> QuerySet[Program]:
    """Every program of the organisations this person administers, with its participant
    and enabled certificate counts, in one query."""
    return (
        Program.objects.filter(organisation__admins__id=user_id)
        .select_related("organisation")
        .annotate(
            participant_count=_count_of(Progress.objects.filter(program_id=OuterRef("pk"))),
            enabled_certificate_count=_count_of(
                CertificateDefinition.objects.filter(program_id=OuterRef("pk"), enabled=True)
            ),
        )
        .order_by("organisation__name", "organisation_id", "name", "pk")
    )


@dataclass(frozen=True)
class CertificateSummary:
    """Where a program's participants stand towards one certificate.

    Every participant is in exactly one of earned, revoked, in progress (at least one
    counting session) and not started.
    """

    definition: CertificateDefinition
    participants: int = 0
    earned: int = 0
    revoked: int = 0
    in_progress: int = 0
    not_started: int = 0
    # Not holding it, yet already past an automatic certificate's threshold: the people a
    # disabled certificate would be awarded to on enabling.
    qualifying: int = 0

    def _share(self, part: int) -> float:
        return round(100 * part / self.participants, 2) if self.participants else 0.0

    @property
    def earned_percent(self) -> float:
        return self._share(self.earned)

    @property
    def revoked_percent(self) -> float:
        return self._share(self.revoked)

    @property
    def in_progress_percent(self) -> float:
        return self._share(self.in_progress)

    @property
    def not_started_percent(self) -> float:
        return self._share(self.not_started)


SUMMARY_SQL = f"""
SELECT d.id,
       COUNT(g.id),
       SUM(CASE WHEN i.status = 'valid' THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.status = 'revoked' THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.id IS NULL AND g.sessions_counting > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.id IS NULL AND g.sessions_counting = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.id IS NULL AND d.threshold IS NOT NULL
                 AND g.sessions_counting >= d.threshold THEN 1 ELSE 0 END)
FROM {t.DEFINITION} d
JOIN {t.PROGRESS} g ON g.program_id = d.program_id
LEFT JOIN {t.ISSUED} i ON i.definition_id = d.id AND i.user_id = g.user_id AND i.is_current
WHERE d.program_id = %s
GROUP BY d.id
"""  # noqa: S608 - table names only; values are parameters


def certificate_summaries(*, program: Program) -> list[CertificateSummary]:
    """Every certificate of the program with where its participants stand: two queries."""
    definitions = list(
        CertificateDefinition.objects.filter(program=program).order_by(
            "-enabled", F("threshold").asc(nulls_last=True), "name", "pk"
        )
    )
    if not definitions:
        return []
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, [program.pk])
        figures = {row[0]: [int(value or 0) for value in row[1:]] for row in cursor.fetchall()}
    summaries = []
    for definition in definitions:
        found = figures.get(definition.pk)
        summaries.append(
            CertificateSummary(definition, *found) if found else CertificateSummary(definition)
        )
    return summaries


@dataclass(frozen=True)
class ReportCell:
    """One person and one certificate: the award if they hold it, else how far they are."""

    definition: CertificateDefinition
    award: IssuedCertificate | None
    sessions_counting: int

    @property
    def sessions_required(self) -> int | None:
        return self.definition.threshold


@dataclass(frozen=True)
class ReportRow:
    user_id: int
    name: str
    roles: list[str]
    sessions_completed: int
    sessions_counting: int
    # When each completed session that nobody gave feedback on started, so admins can chase.
    sessions_missing_feedback: list[datetime]
    certificates: list[ReportCell]

    @property
    def missing_feedback_count(self) -> int:
        return self.sessions_completed - self.sessions_counting


@dataclass(frozen=True)
class CertificateReport:
    program: Program
    summaries: list[CertificateSummary]
    page: Page[Any]
    rows: list[ReportRow]

    @property
    def participants(self) -> int:
        return self.page.paginator.count


def certificate_report(
    *, program: Program, page_number: int | str | None = 1, per_page: int = 50
) -> CertificateReport:
    """The program's certificates and one page of its participants' progress.

    Reads the maintained progress table: seven queries whatever the number of participants.
    """
    summaries = certificate_summaries(program=program)
    people = (
        Progress.objects.filter(program=program)
        .order_by("user__name", "user_id")
        .values("user_id", "user__name", "sessions_completed", "sessions_counting")
    )
    page = Paginator(people, per_page).get_page(page_number)
    entries = list(page.object_list)
    user_ids = [entry["user_id"] for entry in entries]
    roles = {
        user_id: [str(Participant.Role(role).label) for role in values]
        for user_id, values in roles_by_user(program_id=program.pk, user_ids=user_ids).items()
    }
    missing = {
        user_id: [starts_at for _, starts_at in sessions]
        for user_id, sessions in missing_feedback_by_user(
            program_id=program.pk, user_ids=user_ids
        ).items()
    }
    awards: dict[tuple[int, int], IssuedCertificate] = {}
    if user_ids:
        for award in IssuedCertificate.objects.filter(
            program=program, user_id__in=user_ids, is_current=True
        ).only("definition_id", "user_id", "issued_at", "status"):
            awards[(award.user_id, award.definition_id)] = award
    rows = [
        ReportRow(
            user_id=entry["user_id"],
            name=entry["user__name"],
            roles=roles.get(entry["user_id"], []),
            sessions_completed=entry["sessions_completed"],
            sessions_counting=entry["sessions_counting"],
            sessions_missing_feedback=missing.get(entry["user_id"], []),
            certificates=[
                ReportCell(
                    summary.definition,
                    awards.get((entry["user_id"], summary.definition.pk)),
                    entry["sessions_counting"],
                )
                for summary in summaries
            ],
        )
        for entry in entries
    ]
    return CertificateReport(program=program, summaries=summaries, page=page, rows=rows)
