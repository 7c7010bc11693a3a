from __future__ import annotations

import pytest

from laurel.certificates.factories import (
    make_certificate,
    make_organisation,
    make_participant,
    make_program,
)
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import certificate_award


@pytest.fixture
def make_award(db):
    """An issued certificate, awarded by hand to a new participant."""

    def make(
        *,
        name: str = "Ada Lovelace",
        text: str = "Awarded to {recipient_name} for mentoring in {program_name}.",
        organisation=None,
        email: str | None = None,
    ) -> IssuedCertificate:
        organisation = organisation or make_organisation("Acme Mentoring")
        program = make_program(organisation, name="Leaders 2026")
        definition = make_certificate(program, threshold=None, enabled=True, text=text)
        participant = make_participant(program, name=name, email=email)
        result = certificate_award(definition=definition, by=None, participant_ids=[participant.pk])
        return IssuedCertificate.objects.select_related("user").get(pk=result.awarded[0])

    return make
