"""Factory functions for the public face of certificates and badges: issued certificates
to show, made through the product's services, and issued badges."""

from __future__ import annotations

import secrets

from django.utils import timezone

from laurel.badges.models import BadgeDefinition, IssuedBadge

from laurel.certificates.factories import (
    make_certificate,
    make_organisation,
    make_participant,
    make_program,
)
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import certificate_award


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


def make_badge_award(
    *,
    recipient: str = "Ada Lovelace",
    badge: str = "Super Mentor",
    organisation: str = "Analytical Engines Ltd",
    description: str = "",
    colour: str = "#1F6FEB",
    email: str | None = None,
    image: str = "",
    is_public: bool = True,
    threshold: int = 40,
) -> IssuedBadge:
    """One valid issued badge (a mentor badge), as the award engine freezes it."""
    the_organisation = make_organisation(organisation)
    program = make_program(the_organisation, name="Engineering Mentoring")
    participant = make_participant(program, role="mentor", name=recipient, email=email)
    definition = BadgeDefinition.objects.create(
        organisation=the_organisation,
        name=badge,
        description=description,
        colour=colour,
        rule=BadgeDefinition.Rule.SESSIONS_AS_ROLE,
        role=BadgeDefinition.Role.MENTOR,
        threshold=threshold,
        enabled=True,
    )
    return IssuedBadge.objects.create(
        public_id=secrets.token_hex(16),
        badge=definition,
        organisation=the_organisation,
        user=participant.user,
        issued_at=timezone.now(),
        recipient_name=participant.user.name,
        name=definition.name,
        description=definition.description,
        image=image,
        colour=colour,
        organisation_name=the_organisation.name,
        rule=definition.rule,
        role=definition.role,
        threshold=definition.threshold,
        program_kinds=list(definition.program_kinds),
        is_public=is_public,
    )
