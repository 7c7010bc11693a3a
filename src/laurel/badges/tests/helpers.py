"""Small builders shared by the badge tests."""

from __future__ import annotations

from laurel.badges.factories import give_feedback, make_pairing, make_participant, make_session
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.programs.models import Participant


def holders(badge: BadgeDefinition) -> set[str]:
    return set(IssuedBadge.objects.filter(badge=badge).values_list("recipient_name", flat=True))


def hold_sessions(program, mentor, mentee, count, *, feedback=False):
    """``count`` completed sessions of a new pairing of these two (with the mentee's
    feedback if asked)."""
    pairing = make_pairing(program, mentor, mentee)
    made = [make_session(pairing, days_ago=60 - i) for i in range(count)]
    if feedback:
        for session in made:
            give_feedback(session, mentee)
    return made


def default(organisation, key: str) -> BadgeDefinition:
    return BadgeDefinition.objects.get(organisation=organisation, default_key=key)


def mentor_pair(program, mentor_name: str, mentee_name: str) -> tuple[Participant, Participant]:
    return (
        make_participant(program, role="mentor", name=mentor_name),
        make_participant(program, name=mentee_name),
    )
