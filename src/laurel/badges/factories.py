"""Factory functions for badges, beside the record's (re-exported here, so tests above
the record import one module)."""

from __future__ import annotations

from laurel.badges.models import BadgeDefinition
from laurel.badges.services import BadgeRule, badge_create, badge_enable
from laurel.programs.factories import (
    give_feedback,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.programs.models import Organisation

__all__ = [
    "give_feedback",
    "make_badge",
    "make_organisation",
    "make_pairing",
    "make_participant",
    "make_program",
    "make_session",
]

ACTIVE_MENTOR = BadgeRule(type="sessions_as_role", role="mentor", threshold=3)


def make_badge(
    organisation: Organisation,
    *,
    rule: BadgeRule = ACTIVE_MENTOR,
    enabled: bool = False,
    name: str = "Active Mentor",
    description: str = "Held three sessions as a mentor.",
    colour: str = "",
) -> BadgeDefinition:
    badge = badge_create(
        organisation=organisation, by=None, name=name, description=description, colour=colour,
        rule=rule,
    )  # fmt: skip
    if enabled:
        badge_enable(badge=badge, by=None, confirm=True)
        badge.refresh_from_db()
    return badge
