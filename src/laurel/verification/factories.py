"""Factory functions for the public face of certificates and badges: issued certificates
to show, made through the product's services, and issued badges."""

from __future__ import annotations

from laurel.certificates.factories import (
    make_certificate,
    make_organisation,
    make_participant,
    make_program,
)
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import certificate_award
from laurel.credentials.factories import make_badge_award

__all__ = ["make_award", "make_badge_award"]


def make_award(
    *,
    recipient: str = "Ada Lovelace",
    certificate: str = "Mentorship Certificate",
    organisation: str = "Analytical Engines Ltd",
    program: str = "Engineering Mentoring",
    email: str | None = None,
) -> IssuedCertificate:
    """One valid, public certificate awarded by hand."""
    the_program = make_program(make_organisation(organisation), name=program)
    participant = make_participant(the_program, name=recipient, email=email)
    definition = make_certificate(the_program, threshold=None, enabled=True, name=certificate)
    result = certificate_award(definition=definition, by=None, participant_ids=[participant.pk])
    return IssuedCertificate.objects.get(pk=result.awarded[0])
