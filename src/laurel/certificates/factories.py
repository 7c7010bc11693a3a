"""Factory functions for certificates, beside the record's (re-exported here, so tests
above the record import one module)."""

from __future__ import annotations

from laurel.certificates.models import CertificateDefinition
from laurel.certificates.services import RuleInput, certificate_create, certificate_enable
from laurel.programs.factories import (
    give_feedback,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.programs.models import Program

__all__ = [
    "give_feedback",
    "make_certificate",
    "make_organisation",
    "make_pairing",
    "make_participant",
    "make_program",
    "make_session",
]


def make_certificate(
    program: Program,
    *,
    threshold: int | None = 3,
    enabled: bool = False,
    name: str = "Mentorship Certificate",
    text: str = "Awarded to {recipient_name} for completing {sessions_required} sessions in {program_name}.",
    colour: str = "#1F6FEB",
    guidance: str = "",
) -> CertificateDefinition:
    rule = (
        RuleInput(type="manual", guidance=guidance)
        if threshold is None
        else RuleInput(type="sessions_completed", threshold=threshold)
    )
    definition = certificate_create(
        program=program, by=None, name=name, text=text, colour=colour, rule=rule
    )
    if enabled:
        certificate_enable(definition=definition, by=None, confirm=True)
        definition.refresh_from_db()
    return definition
