"""Factory functions for issued badges to sign: made through the badges' own services
(the award engine awards them when the badge is enabled)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from laurel.badges.factories import (
    make_badge,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.badges.models import IssuedBadge
from laurel.badges.services import BadgeRule, badge_enable, badge_image_set


def make_badge_award(
    *,
    recipient: str = "Ada Lovelace",
    badge: str = "Super Mentor",
    organisation: str = "Analytical Engines Ltd",
    description: str = "",
    colour: str = "#1F6FEB",
    email: str | None = None,
    image: bytes | None = None,
    threshold: int = 1,
) -> IssuedBadge:
    """One valid issued badge: a mentor badge, earned by holding ``threshold`` completed
    sessions as a mentor, awarded by the engine when the badge is enabled."""
    the_organisation = make_organisation(organisation)
    program = make_program(the_organisation, name="Engineering Mentoring")
    mentor = make_participant(program, role="mentor", name=recipient, email=email)
    pairing = make_pairing(program, mentor, make_participant(program, role="mentee"))
    for days_ago in range(threshold):
        make_session(pairing, days_ago=30 - days_ago)
    definition = make_badge(
        the_organisation,
        rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=threshold),
        name=badge,
        description=description,
        colour=colour,
    )
    if image is not None:
        upload = SimpleUploadedFile("badge.png", image, content_type="image/png")
        badge_image_set(badge=definition, by=None, image=upload)
    badge_enable(badge=definition, by=None, confirm=True)
    return IssuedBadge.objects.select_related("user").get(badge=definition, user=mentor.user)
