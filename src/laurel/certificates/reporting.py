"""An admin's view of a program's certificates: where its participants stand, per
certificate and per person."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from laurel.certificates import tables as t
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.certificates.selectors import roles_by_user
from laurel.programs.models import PairingMember, Participant, Program, Session


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


def report_definitions(*, program: Program) -> list[CertificateDefinition]:
    """The program's certificates in the order reports show them: enabled first, then by
    threshold."""
    return list(
        CertificateDefinition.objects.filter(program=program).order_by(
            "-enabled", F("threshold").asc(nulls_last=True), "name", "pk"
        )
    )


@dataclass(frozen=True)
class CountingRow:
    """How many people have exactly ``counting`` counting sessions, and of them how many
    have completed sessions waiting for feedback, and how many such sessions."""

    counting: int
    people: int
    waiting_people: int
    sessions_waiting: int


def counting_histogram(*, program: Program) -> list[CountingRow]:
    """People by number of counting sessions: one pass over the progress table's
    (program, sessions_counting, sessions_completed) index, never over the people."""
    sql = f"""
        SELECT g.sessions_counting, COUNT(*),
               SUM(CASE WHEN g.sessions_completed > g.sessions_counting THEN 1 ELSE 0 END),
               SUM(g.sessions_completed - g.sessions_counting)
        FROM {t.PROGRESS} g WHERE g.program_id = %s
        GROUP BY g.sessions_counting ORDER BY g.sessions_counting
    """  # noqa: S608 - table names only; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [program.pk])
        return [CountingRow(*(int(v or 0) for v in row)) for row in cursor.fetchall()]


def _holders(
    *, program: Program, definitions: list[CertificateDefinition]
) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    """Current awards per (definition, status), and per definition those held by people
    with no counting session (found from the few such people, not from every award)."""
    by_status: dict[tuple[int, str], int] = {}
    for definition_id, status, n in (
        IssuedCertificate.objects.filter(program=program, is_current=True)
        .values_list("definition_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_status[(definition_id, status)] = n
    # From each certificate, the people with no counting session (few), each looked up
    # in the one-current-award-per-person index: the same order on SQLite and PostgreSQL.
    sql = f"""
        SELECT d.id,
               (SELECT COUNT(*) FROM {t.PROGRESS} g
                 WHERE g.program_id = d.program_id AND g.sessions_counting = 0
                   AND EXISTS (SELECT 1 FROM {t.ISSUED} i
                                WHERE i.definition_id = d.id AND i.user_id = g.user_id
                                  AND i.is_current))
        FROM {t.DEFINITION} d WHERE d.program_id = %s
    """  # noqa: S608 - table names only; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [program.pk])
        without_sessions = {int(d): int(n) for d, n in cursor.fetchall()}
    return by_status, without_sessions


def _holders_reaching(definition: CertificateDefinition) -> int:
    """Holders of a certificate with at least its threshold of counting sessions: read from
    its holders, who are few while it is disabled."""
    sql = f"""
        SELECT COUNT(*) FROM {t.ISSUED} i
        JOIN {t.PROGRESS} g ON g.program_id = i.program_id AND g.user_id = i.user_id
        WHERE i.definition_id = %s AND i.is_current AND g.sessions_counting >= %s
    """  # noqa: S608 - table names only; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [definition.pk, definition.threshold])
        return int(cursor.fetchone()[0])


def _summaries(
    *,
    program: Program,
    definitions: list[CertificateDefinition],
    histogram: list[CountingRow],
) -> list[CertificateSummary]:
    if not definitions:
        return []
    participants = sum(row.people for row in histogram)
    started = sum(row.people for row in histogram if row.counting > 0)
    by_status, without_sessions = _holders(program=program, definitions=definitions)
    summaries = []
    for definition in definitions:
        earned = by_status.get((definition.pk, IssuedCertificate.Status.VALID), 0)
        revoked = by_status.get((definition.pk, IssuedCertificate.Status.REVOKED), 0)
        held_without = without_sessions.get(definition.pk, 0)
        held_with = earned + revoked - held_without
        qualifying = 0
        if definition.is_automatic and not definition.enabled:
            threshold = definition.threshold or 0
            reaching = sum(row.people for row in histogram if row.counting >= threshold)
            qualifying = reaching - _holders_reaching(definition)
        summaries.append(
            CertificateSummary(
                definition,
                participants=participants,
                earned=earned,
                revoked=revoked,
                in_progress=started - held_with,
                not_started=participants - started - held_without,
                qualifying=qualifying,
            )
        )
    return summaries


def certificate_summaries(*, program: Program) -> list[CertificateSummary]:
    """Every certificate of the program with where its participants stand, from the
    counting histogram and the awards: a handful of queries that read no row per person."""
    definitions = report_definitions(program=program)
    if not definitions:
        return []
    return _summaries(
        program=program, definitions=definitions, histogram=counting_histogram(program=program)
    )


# How far people are, in steps of the furthest automatic certificate's threshold.
PROGRESS_BANDS = 5


@dataclass(frozen=True)
class ProgressBand:
    """People whose counting sessions fall in ``low``..``high`` (``high`` None: and up)."""

    low: int
    high: int | None
    people: int
    percent: float


def bands_of(histogram: list[CountingRow], *, target: int | None) -> list[ProgressBand]:
    """The histogram in bands: nobody yet, then ``PROGRESS_BANDS`` equal bands below
    ``target`` (fewer if it is small), and one for those at or past it."""
    target = target or 1
    width = max(1, -(-target // PROGRESS_BANDS))
    edges = [(0, 0)] + [(low, min(low + width - 1, target - 1)) for low in range(1, target, width)]
    total = sum(row.people for row in histogram)
    bands = []
    for low, high in edges:
        people = sum(row.people for row in histogram if low <= row.counting <= high)
        bands.append(_band(low, high, people, total))
    people = sum(row.people for row in histogram if row.counting >= target)
    bands.append(_band(target, None, people, total))
    return bands


def progress_bands(*, program: Program, target: int | None) -> list[ProgressBand]:
    return bands_of(counting_histogram(program=program), target=target)


def _band(low: int, high: int | None, people: int, total: int) -> ProgressBand:
    return ProgressBand(low, high, people, round(100 * people / total, 2) if total else 0.0)


@dataclass(frozen=True)
class ReportCell:
    """One person and one certificate: the award if they hold it, else how far they are."""

    definition: CertificateDefinition
    award: IssuedCertificate | None
    sessions_counting: int

    @property
    def sessions_required(self) -> int | None:
        return self.definition.threshold

    @property
    def sessions_shown(self) -> int:
        """Counting sessions towards it, no further than its threshold."""
        required = self.sessions_required
        return min(self.sessions_counting, required) if required else self.sessions_counting

    @property
    def percent(self) -> float:
        required = self.sessions_required
        if not required:
            return 0.0
        return round(100 * self.sessions_shown / required, 2)


@dataclass(frozen=True)
class WaitingSession:
    """A completed session nobody in the pair gave feedback on yet."""

    session_id: int
    pairing_id: int
    starts_at: datetime
    # The other members of the pairing: who the person met.
    partners: list[str]


def waiting_sessions_by_user(
    *, program_id: int, user_ids: list[int]
) -> dict[int, list[WaitingSession]]:
    """Each person's completed sessions without feedback, with the pair: two queries."""
    if not user_ids:
        return {}
    found = list(
        Session.objects.filter(
            pairing__program_id=program_id,
            pairing__members__user_id__in=user_ids,
            status=Session.Status.COMPLETED,
            first_feedback_at__isnull=True,
        )
        .order_by("starts_at", "pk")
        .values_list("pairing__members__user_id", "pk", "pairing_id", "starts_at")
    )
    members: dict[int, list[tuple[int, str]]] = {}
    pairing_ids = sorted({pairing_id for _, _, pairing_id, _ in found})
    if pairing_ids:
        for pairing_id, user_id, name in (
            PairingMember.objects.filter(pairing_id__in=pairing_ids)
            .order_by("user__name", "user_id")
            .values_list("pairing_id", "user_id", "user__name")
        ):
            members.setdefault(pairing_id, []).append((user_id, name))
    waiting: dict[int, list[WaitingSession]] = {}
    for user_id, session_id, pairing_id, starts_at in found:
        partners = [name for uid, name in members.get(pairing_id, []) if uid != user_id]
        waiting.setdefault(user_id, []).append(
            WaitingSession(session_id, pairing_id, starts_at, partners)
        )
    return waiting


@dataclass(frozen=True)
class ReportRow:
    user_id: int
    name: str
    roles: list[str]
    sessions_completed: int
    sessions_counting: int
    # Each completed session that nobody gave feedback on, so admins can chase.
    waiting: list[WaitingSession]
    certificates: list[ReportCell]

    @property
    def sessions_missing_feedback(self) -> list[datetime]:
        """When each session waiting for feedback started."""
        return [session.starts_at for session in self.waiting]

    @property
    def missing_feedback_count(self) -> int:
        return self.sessions_completed - self.sessions_counting


@dataclass(frozen=True)
class CertificateReport:
    program: Program
    summaries: list[CertificateSummary]
    page: Page[Any]
    rows: list[ReportRow]
    bands: list[ProgressBand]
    # The threshold the bands lead up to: the furthest enabled automatic certificate's.
    target: int | None

    figures: ProgramFigures

    @property
    def participants(self) -> int:
        return self.page.paginator.count


@dataclass(frozen=True)
class ProgramFigures:
    participants: int
    # People with at least one counting session.
    started: int
    # People with at least one completed session that nobody gave feedback on.
    waiting_for_feedback: int
    # Completed sessions waiting for feedback, summed over people (a pair's counts twice).
    sessions_waiting: int


def figures_of(histogram: list[CountingRow]) -> ProgramFigures:
    return ProgramFigures(
        participants=sum(row.people for row in histogram),
        started=sum(row.people for row in histogram if row.counting > 0),
        waiting_for_feedback=sum(row.waiting_people for row in histogram),
        sessions_waiting=sum(row.sessions_waiting for row in histogram),
    )


class _CountedPaginator(Paginator):
    """A paginator told the number of items, rather than counting them again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def certificate_report(
    *, program: Program, page_number: int | str | None = 1, per_page: int = 50
) -> CertificateReport:
    """The program's certificates and one page of its participants' progress, in the
    order they joined.

    Reads the maintained progress table and its indexes: the same few queries whatever the
    number of participants, none of which reads a row per person.
    """
    definitions = report_definitions(program=program)
    histogram = counting_histogram(program=program)
    figures = figures_of(histogram)
    summaries = _summaries(program=program, definitions=definitions, histogram=histogram)
    thresholds = [
        s.definition.threshold
        for s in summaries
        if s.definition.enabled and s.definition.threshold is not None
    ]
    target = max(thresholds, default=None)
    # The page's people by user id, which the (program, user) index holds in order: no
    # sort, and the rows skipped to reach a far page are read from the index alone.
    ids = (
        Progress.objects.filter(program=program)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    page = _CountedPaginator(ids, per_page, count=figures.participants).get_page(page_number)
    user_ids = list(page.object_list)
    entries = list(
        Progress.objects.filter(program=program, user_id__in=user_ids)
        .order_by("user_id")
        .values("user_id", "user__name", "sessions_completed", "sessions_counting")
    ) if user_ids else []  # fmt: skip
    roles = {
        user_id: [str(Participant.Role(role).label) for role in values]
        for user_id, values in roles_by_user(program_id=program.pk, user_ids=user_ids).items()
    }
    waiting = waiting_sessions_by_user(program_id=program.pk, user_ids=user_ids)
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
            waiting=waiting.get(entry["user_id"], []),
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
    return CertificateReport(
        program=program,
        summaries=summaries,
        page=page,
        rows=rows,
        bands=bands_of(histogram, target=target),
        target=target,
        figures=figures,
    )


EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class ExportRow:
    name: str
    email: str
    roles: list[str]
    sessions_completed: int
    sessions_counting: int
    # (definition, the award if held): one per certificate, in the report's order.
    certificates: list[ReportCell]


def export_rows(
    *, program: Program, definitions: list[CertificateDefinition], chunk: int | None = None
) -> Iterator[ExportRow]:
    """Every participant's progress, in user id order, read ``chunk`` people at a time.

    Each chunk is three short queries (people, roles, awards) that continue after the last
    user id read, so memory stays flat and no transaction or cursor is held open between
    chunks, however many people there are.
    """
    size = chunk or EXPORT_CHUNK
    after = 0
    while True:
        entries = list(
            Progress.objects.filter(program=program, user_id__gt=after)
            .order_by("user_id")
            .values_list("user_id", "user__name", "user__email", "sessions_completed",
                         "sessions_counting")[:size]
        )  # fmt: skip
        if not entries:
            return
        user_ids = [entry[0] for entry in entries]
        roles = roles_by_user(program_id=program.pk, user_ids=user_ids)
        awards: dict[tuple[int, int], IssuedCertificate] = {}
        for award in IssuedCertificate.objects.filter(
            program=program, user_id__in=user_ids, is_current=True
        ).only("definition_id", "user_id", "issued_at", "status"):
            awards[(award.user_id, award.definition_id)] = award
        for user_id, name, email, completed, counting in entries:
            yield ExportRow(
                name=name,
                email=email,
                roles=[str(Participant.Role(role).label) for role in roles.get(user_id, [])],
                sessions_completed=completed,
                sessions_counting=counting,
                certificates=[
                    ReportCell(d, awards.get((user_id, d.pk)), counting) for d in definitions
                ],
            )
        after = user_ids[-1]
