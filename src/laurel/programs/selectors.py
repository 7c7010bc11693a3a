"""Reads of the mentorship record, as organisation admins see it."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from laurel.certificates.models import CertificateDefinition, Progress
from laurel.programs.models import Program


def program_administered_by(*, program_id: int, user_id: int) -> Program | None:
    """The program, if this person administers its organisation; otherwise None.

    Another organisation's program and a program that does not exist look the same.
    """
    return (
        Program.objects.select_related("organisation")
        .filter(pk=program_id, organisation__admins__id=user_id)
        .first()
    )


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
