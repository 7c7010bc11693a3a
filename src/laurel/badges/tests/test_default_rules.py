"""The default badges and each kind of rule, from the record's changes to the issued
badges people would see."""

from __future__ import annotations

import pytest

from laurel.badges.factories import (
    give_feedback,
    make_badge,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.services import BadgeRule, badge_enable, badges_defaults_ensure

pytestmark = pytest.mark.django_db


def holders(badge):
    return set(IssuedBadge.objects.filter(badge=badge).values_list("recipient_name", flat=True))


def sessions(program, mentor, mentee, count, *, feedback=False):
    pairing = make_pairing(program, mentor, mentee)
    made = [make_session(pairing, days_ago=60 - i) for i in range(count)]
    if feedback:
        for session in made:
            give_feedback(session, mentee)
    return made


def default(organisation, key):
    return BadgeDefinition.objects.get(organisation=organisation, default_key=key)


def test_a_new_organisation_has_the_four_defaults_disabled():
    organisation = make_organisation()
    badges = BadgeDefinition.objects.filter(organisation=organisation).order_by("pk")
    assert [(b.name, b.rule, b.role, b.threshold, b.enabled) for b in badges] == [
        ("Mentor", "sessions_as_role", "mentor", 10, False),
        ("Mentee", "sessions_as_role", "mentee", 10, False),
        ("Super Mentor", "sessions_as_role", "mentor", 40, False),
        ("Connector", "distinct_partners", "", 10, False),
    ]
    assert all(b.program_kinds == ["one_on_one"] and not b.feedback_required for b in badges)
    # Idempotent: asking again creates nothing and returns the same four.
    again = badges_defaults_ensure(organisation=organisation)
    assert [b.pk for b in again] == [b.pk for b in badges]
    assert BadgeDefinition.objects.filter(organisation=organisation).count() == 4


def test_mentor_badge_counts_sessions_as_mentor_across_programs():
    organisation = make_organisation()
    badge = default(organisation, "mentor")
    badge_enable(badge=badge, by=None, confirm=True)
    first, second = make_program(organisation), make_program(organisation)
    grace = make_participant(first, role="mentor", name="Grace Hopper", email="grace@example.org")
    sessions(first, grace, make_participant(first, name="Ada"), 6)
    grace_again = make_participant(
        second, role="mentor", name="Grace Hopper", email="grace@example.org"
    )
    sessions(second, grace_again, make_participant(second, name="Alan"), 3)
    assert holders(badge) == set()
    sessions(second, grace_again, make_participant(second, name="Joan"), 1)
    # The tenth session as a mentor, across both programs, awards it; mentees hold 6, 3, 1.
    assert holders(badge) == {"Grace Hopper"}
    award = IssuedBadge.objects.get(badge=badge)
    assert (award.name, award.threshold, award.role, award.status) == (
        "Mentor",
        10,
        "mentor",
        "valid",
    )
    assert award.colour == organisation.accent_colour
    assert len(award.public_id) == 32


def test_mentee_badge_and_super_mentor():
    organisation = make_organisation()
    mentee_badge, super_mentor = (
        default(organisation, "mentee"),
        default(organisation, "super_mentor"),
    )
    for badge in (mentee_badge, super_mentor):
        badge_enable(badge=badge, by=None, confirm=True)
    program = make_program(organisation)
    mentor = make_participant(program, role="mentor", name="Grace")
    mentee = make_participant(program, name="Ada")
    sessions(program, mentor, mentee, 10)
    assert holders(mentee_badge) == {"Ada"}
    assert holders(super_mentor) == set()
    other = make_participant(program, name="Alan")
    sessions(program, mentor, other, 30)
    assert holders(super_mentor) == {"Grace"}
    assert holders(mentee_badge) == {"Ada", "Alan"}


def test_connector_counts_different_people_across_programs_each_once():
    organisation = make_organisation()
    connector = default(organisation, "connector")
    connector.threshold = 3
    connector.save()
    badge_enable(badge=connector, by=None, confirm=True)
    first, second = make_program(organisation), make_program(organisation)
    grace = make_participant(first, role="mentor", name="Grace", email="grace@example.org")
    ada = make_participant(first, name="Ada", email="ada@example.org")
    # Many sessions with the same person count once.
    sessions(first, grace, ada, 5)
    grace2 = make_participant(second, role="mentor", name="Grace", email="grace@example.org")
    ada2 = make_participant(second, name="Ada", email="ada@example.org")
    sessions(second, grace2, ada2, 5)
    assert holders(connector) == set()
    sessions(second, grace2, make_participant(second, name="Alan"), 1)
    assert holders(connector) == set()
    # A third different person, met in the first program, makes three.
    sessions(first, grace, make_participant(first, name="Joan"), 1)
    assert holders(connector) == {"Grace"}


def test_feedback_required_counts_only_sessions_with_feedback():
    organisation = make_organisation()
    badge = make_badge(
        organisation,
        rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=2, feedback_required=True),
        enabled=True,
    )
    program = make_program(organisation)
    mentor = make_participant(program, role="mentor", name="Grace")
    mentee = make_participant(program, name="Ada")
    first, second = sessions(program, mentor, mentee, 2)
    assert holders(badge) == set()
    give_feedback(first, mentee)
    assert holders(badge) == set()
    give_feedback(second, mentor)
    assert holders(badge) == {"Grace"}


def test_only_the_program_kinds_a_badge_counts():
    organisation = make_organisation()
    one_on_one_only = make_badge(organisation, enabled=True, name="1:1 mentor")
    any_kind = make_badge(
        organisation,
        name="Any mentor",
        rule=BadgeRule(
            type="sessions_as_role", role="mentor", threshold=3,
            program_kinds=("one_on_one", "development", "group"),
        ),
        enabled=True,
    )  # fmt: skip
    development = make_program(organisation, kind="development")
    mentor = make_participant(development, role="mentor", name="Grace")
    sessions(development, mentor, make_participant(development, name="Ada"), 3)
    assert holders(one_on_one_only) == set()
    assert holders(any_kind) == {"Grace"}


def test_group_sessions_count_for_every_attendee_and_each_other_attendee_as_partner():
    organisation = make_organisation()
    connector = make_badge(
        organisation,
        name="Group connector",
        rule=BadgeRule(type="distinct_partners", threshold=3, program_kinds=("group",)),
        enabled=True,
    )
    mentees = make_badge(
        organisation,
        name="Group mentee",
        rule=BadgeRule(
            type="sessions_as_role", role="mentee", threshold=2, program_kinds=("group",)
        ),
        enabled=True,
    )
    program = make_program(organisation, kind="group")
    mentor = make_participant(program, role="mentor", name="Grace")
    people = [make_participant(program, name=name) for name in ("Ada", "Alan", "Joan")]
    pairing = make_pairing(program, mentor, *people)
    make_session(pairing, days_ago=3)
    # Four attendees: each met three others.
    assert holders(connector) == {"Grace", "Ada", "Alan", "Joan"}
    assert holders(mentees) == set()
    make_session(pairing, days_ago=2)
    assert holders(mentees) == {"Ada", "Alan", "Joan"}
