"""What the pages and the API read: a person's standings, each badge's summary, holders,
an award by its public id, each in a bounded number of queries."""

from __future__ import annotations

import pytest

from laurel.accounts.models import User
from laurel.badges.factories import (
    make_badge,
    make_organisation,
    make_participant,
    make_program,
)
from laurel.badges.models import IssuedBadge
from laurel.badges.selectors import (
    badge_award_by_public_id,
    badge_awards,
    badge_standings,
    badge_summaries,
)
from laurel.badges.services import BadgeRule, badge_award_revoke, badge_enable
from laurel.badges.tests.helpers import default, hold_sessions, mentor_pair

pytestmark = pytest.mark.django_db


def organisation_with(mentors: int):
    """Enabled Mentor (at 3) and Connector (at 2); ``mentors`` mentors with 1, 2, 3, ...
    sessions, each with a mentee of their own, plus Grace who mentors two mentees."""
    organisation = make_organisation()
    mentor_badge = make_badge(organisation, name="Mentor at 3", enabled=True)
    connector = make_badge(
        organisation,
        name="Connector at 2",
        rule=BadgeRule(type="distinct_partners", threshold=2),
        enabled=True,
    )
    program = make_program(organisation)
    for n in range(mentors):
        hold_sessions(program, *mentor_pair(program, f"Mentor {n:02}", f"Mentee {n:02}"), n % 4 + 1)
    grace = make_participant(program, role="mentor", name="Grace", email="grace@example.org")
    hold_sessions(program, grace, make_participant(program, name="Ada"), 1)
    hold_sessions(program, grace, make_participant(program, name="Alan"), 1)
    return organisation, program, mentor_badge, connector, grace


def test_standings_show_the_badges_for_the_roles_a_person_holds():
    organisation, _program, _mentor_badge, connector, grace = organisation_with(2)
    make_badge(
        organisation,
        name="Mentee at 3",
        rule=BadgeRule(type="sessions_as_role", role="mentee", threshold=3),
        enabled=True,
    )
    make_badge(
        organisation,
        name="Group mentor",
        rule=BadgeRule(
            type="sessions_as_role", role="mentor", threshold=1, program_kinds=("group",)
        ),
        enabled=True,
    )
    standings = badge_standings(organisation_id=organisation.pk, user_id=grace.user_id)
    by_name = {s.badge.name: s for s in standings}
    # Grace is a mentor in a 1:1 program: not a mentee, not in a group program; the
    # default badges are disabled.
    assert set(by_name) == {"Mentor at 3", "Connector at 2"}
    assert (by_name["Mentor at 3"].count, by_name["Mentor at 3"].threshold) == (2, 3)
    assert by_name["Mentor at 3"].award is None
    assert by_name["Connector at 2"].count == 2
    assert by_name["Connector at 2"].award == IssuedBadge.objects.get(
        badge=connector, user=grace.user
    )


def test_standings_of_someone_outside_the_organisation_are_empty():
    organisation, *_ = organisation_with(1)
    stranger = User.objects.create_user(email="eve@example.org", name="Eve")
    assert badge_standings(organisation_id=organisation.pk, user_id=stranger.pk) == []


def test_summaries_count_holders_and_name_the_closest():
    organisation, _, mentor_badge, _connector, _grace = organisation_with(8)
    award = IssuedBadge.objects.filter(badge=mentor_badge).order_by("pk").first()
    assert award is not None
    badge_award_revoke(award=award, by=None, reason="Logged twice")
    summaries = {s.badge.name: s for s in badge_summaries(organisation_id=organisation.pk)}
    assert list(summaries) == ["Mentor", "Mentee", "Super Mentor", "Connector", "Mentor at 3", "Connector at 2"]  # fmt: skip
    # Mentors 02, 03, 06, 07 hold 3 or 4 sessions; one of them is revoked.
    assert (summaries["Mentor at 3"].earned, summaries["Mentor at 3"].revoked) == (3, 1)
    closest = summaries["Mentor at 3"].closest
    assert [(q.name, q.count) for q in closest] == [
        ("Grace", 2), ("Mentor 01", 2), ("Mentor 05", 2), ("Mentor 00", 1), ("Mentor 04", 1),
    ]  # fmt: skip
    assert summaries["Connector at 2"].earned == 1  # Grace
    # The disabled defaults: nobody holds them; closest counts their rules all the same.
    assert summaries["Mentor"].earned == 0
    assert summaries["Mentor"].closest[0].count == 4


def test_holders_newest_first_and_searchable():
    _organisation, _, mentor_badge, *_ = organisation_with(8)
    holders = badge_awards(badge=mentor_badge)
    assert [a.recipient_name for a in holders] == [
        "Mentor 07",
        "Mentor 06",
        "Mentor 03",
        "Mentor 02",
    ]
    assert [a.recipient_name for a in badge_awards(badge=mentor_badge, search="r 06")] == [
        "Mentor 06"
    ]
    email = holders[0].user.email
    assert [a.recipient_name for a in badge_awards(badge=mentor_badge, search=email.upper())] == [
        "Mentor 07"
    ]


def test_an_award_by_its_public_id():
    _organisation, _, mentor_badge, *_ = organisation_with(3)
    award = IssuedBadge.objects.get(badge=mentor_badge)
    assert badge_award_by_public_id(award.public_id) == award
    assert badge_award_by_public_id("0" * 32) is None


@pytest.mark.parametrize("mentors", [2, 30])
def test_reads_cost_a_bounded_number_of_queries(mentors, django_assert_max_num_queries):
    organisation, _program, mentor_badge, _connector, grace = organisation_with(mentors)
    for key in ("mentor", "mentee", "connector"):
        badge_enable(badge=default(organisation, key), by=None, confirm=True)
    with django_assert_max_num_queries(4):
        assert len(badge_standings(organisation_id=organisation.pk, user_id=grace.user_id)) == 4
    with django_assert_max_num_queries(3):
        assert len(badge_summaries(organisation_id=organisation.pk)) == 6
    held = set(IssuedBadge.objects.filter(badge=mentor_badge).values_list("user__email", flat=True))
    with django_assert_max_num_queries(1):
        assert {award.user.email for award in badge_awards(badge=mentor_badge)} == held
    with django_assert_max_num_queries(1):
        badge_award_by_public_id("x")
