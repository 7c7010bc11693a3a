"""A participant's activity page: each of their programs, their progress towards each
certificate, and the certificates they earned."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber

from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.certificates.selectors import Counts
from laurel.programs.models import PairingMember, Participant, Program, Session

# How many sessions waiting for feedback the page links to in each program; the rest are
# on the program's sessions page.
WAITING_SHOWN = 5


@dataclass(frozen=True)
class CertificateProgress:
    """How far a person is towards an automatic certificate they do not hold yet."""

    definition: CertificateDefinition
    sessions_counting: int
    missing_feedback_count: int

    @property
    def sessions_required(self) -> int:
        return self.definition.threshold or 0

    @property
    def sessions_shown(self) -> int:
        return min(self.sessions_counting, self.sessions_required)

    @property
    def percent(self) -> int:
        if not self.sessions_required:
            return 0
        return 100 * self.sessions_shown // self.sessions_required


@dataclass(frozen=True)
class WaitingSession:
    """A completed session that nobody in the pair has given feedback on yet."""

    session: Session
    partner_names: list[str]


@dataclass(frozen=True)
class ProgramActivity:
    """One program as a participant sees it on their activity page."""

    program: Program
    roles: list[str]
    sessions_completed: int
    sessions_counting: int
    earned: list[IssuedCertificate]
    towards: list[CertificateProgress]
    unearned_manual: list[CertificateDefinition]
    # The most recent of them, each linked to its feedback form.
    waiting: list[WaitingSession]

    @property
    def missing_feedback_count(self) -> int:
        return self.sessions_completed - self.sessions_counting

    @property
    def waiting_not_shown(self) -> int:
        return max(self.missing_feedback_count - len(self.waiting), 0)

    @property
    def certificates_available(self) -> bool:
        return self.program.kind != Program.Kind.GROUP


def activity_for_user(*, user_id: int) -> list[ProgramActivity]:
    """Every program this person is in, with their progress and certificates.

    Six queries however many programs the person is in.
    """
    programs: dict[int, Program] = {}
    roles: dict[int, list[str]] = {}
    for participation in (
        Participant.objects.filter(user_id=user_id)
        .select_related("program__organisation")
        .order_by("program__name", "program_id", "role")
    ):
        programs.setdefault(participation.program_id, participation.program)
        roles.setdefault(participation.program_id, []).append(participation.get_role_display())
    if not programs:
        return []
    counts = {
        program_id: Counts(completed, counting)
        for program_id, completed, counting in Progress.objects.filter(
            user_id=user_id, program_id__in=list(programs)
        ).values_list("program_id", "sessions_completed", "sessions_counting")
    }
    earned: dict[int, list[IssuedCertificate]] = {}
    for award in IssuedCertificate.objects.filter(
        user_id=user_id, program_id__in=list(programs), is_current=True
    ).order_by("issued_at", "pk"):
        earned.setdefault(award.program_id, []).append(award)
    unearned: dict[int, list[CertificateDefinition]] = {}
    for definition in (
        CertificateDefinition.objects.filter(program_id__in=list(programs), enabled=True)
        .exclude(
            Exists(
                IssuedCertificate.objects.filter(
                    definition_id=OuterRef("pk"), user_id=user_id, is_current=True
                )
            )
        )
        .order_by(F("threshold").asc(nulls_last=True), "name", "pk")
    ):
        unearned.setdefault(definition.program_id, []).append(definition)
    waiting = _waiting_sessions(user_id=user_id, program_ids=list(programs))
    activity = []
    for program_id, program in programs.items():
        count = counts.get(program_id, Counts(0, 0))
        activity.append(
            ProgramActivity(
                program=program,
                roles=roles[program_id],
                sessions_completed=count.sessions_completed,
                sessions_counting=count.sessions_counting,
                earned=earned.get(program_id, []),
                towards=[
                    CertificateProgress(d, count.sessions_counting, count.missing_feedback_count)
                    for d in unearned.get(program_id, [])
                    if d.is_automatic
                ],
                unearned_manual=[d for d in unearned.get(program_id, []) if not d.is_automatic],
                waiting=waiting.get(program_id, []),
            )
        )
    return activity


def _waiting_sessions(*, user_id: int, program_ids: list[int]) -> dict[int, list[WaitingSession]]:
    """The person's most recent completed sessions without feedback, ``WAITING_SHOWN`` per
    program at most, with their partners' names: two queries."""
    sessions = list(
        Session.objects.filter(
            status=Session.Status.COMPLETED,
            first_feedback_at__isnull=True,
            pairing__members__user_id=user_id,
            pairing__program_id__in=program_ids,
        )
        .annotate(
            in_program=F("pairing__program_id"),
            rank=Window(
                RowNumber(),
                partition_by=F("pairing__program_id"),
                order_by=[F("starts_at").desc(), F("pk").desc()],
            ),
        )
        .filter(rank__lte=WAITING_SHOWN)
        .order_by("-starts_at", "-pk")
    )
    if not sessions:
        return {}
    partners: dict[int, list[str]] = {}
    for pairing_id, name in (
        PairingMember.objects.filter(pairing_id__in={s.pairing_id for s in sessions})
        .exclude(user_id=user_id)
        .order_by("user__name", "pk")
        .values_list("pairing_id", "user__name")
    ):
        partners.setdefault(pairing_id, []).append(name)
    waiting: dict[int, list[WaitingSession]] = {}
    for session in sessions:
        waiting.setdefault(session.in_program, []).append(
            WaitingSession(session, partners.get(session.pairing_id, []))
        )
    return waiting
