"""A participant's activity page: each of their programs, their progress towards each
certificate, and the certificates they earned."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef

from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.certificates.selectors import Counts
from laurel.programs.models import Participant, Program


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
class ProgramActivity:
    """One program as a participant sees it on their activity page."""

    program: Program
    roles: list[str]
    sessions_completed: int
    sessions_counting: int
    earned: list[IssuedCertificate]
    towards: list[CertificateProgress]
    unearned_manual: list[CertificateDefinition]

    @property
    def missing_feedback_count(self) -> int:
        return self.sessions_completed - self.sessions_counting

    @property
    def certificates_available(self) -> bool:
        return self.program.kind != Program.Kind.GROUP


def activity_for_user(*, user_id: int) -> list[ProgramActivity]:
    """Every program this person is in, with their progress and certificates.

    Four queries however many programs the person is in.
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
            )
        )
    return activity
