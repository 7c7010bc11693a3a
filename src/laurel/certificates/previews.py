"""A certificate as it would be issued, not yet issued: what the editor's preview draws.

The sample is an unsaved ``IssuedCertificate`` filled in exactly as the award engine fills
a new award, so the preview goes through the same drawing path as an issued certificate.
"""

from __future__ import annotations

from datetime import datetime

from laurel.certificates import merge_fields
from laurel.certificates.models import IssuedCertificate, layout_for
from laurel.programs.models import Participant, Program

# Never issued: the award engine's ids are random hex, and this one is all zeros.
SAMPLE_PUBLIC_ID = "0" * 32


def sample_recipient(*, program: Program) -> str:
    """A participant of the program to show on the preview (the first to join), or the
    merge fields' sample name when there is nobody yet."""
    name = (
        Participant.objects.filter(program=program)
        .order_by("pk")
        .values_list("user__name", flat=True)
        .first()
    )
    return name or merge_fields.FIELDS["recipient_name"]


def sample_award(
    *,
    program: Program,
    recipient_name: str,
    name: str,
    text: str,
    colour: str,
    layout: str,
    threshold: int | None,
    now: datetime,
) -> IssuedCertificate:
    """An unsaved award of a certificate with this design, issued ``now``."""
    organisation = program.organisation
    values = merge_fields.values_for(
        recipient_name=recipient_name,
        program_name=program.name,
        organisation_name=organisation.name,
        sessions_required=threshold,
        issued_at=now,
    )
    return IssuedCertificate(
        public_id=SAMPLE_PUBLIC_ID,
        program=program,
        recipient_name=recipient_name,
        name=name,
        text_template=text,
        text=merge_fields.render(text, values),
        colour=colour,
        layout=layout_for(definition_layout=layout, organisation=organisation),
        banner=program.banner.name or "",
        logo=organisation.logo.name or "",
        organisation_name=organisation.name,
        program_name=program.name,
        sessions_required=threshold,
        issued_at=now,
        created_at=now,
    )
