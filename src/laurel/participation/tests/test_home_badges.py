"""The activity page's badges: progress in words for the roles a person holds, earned ones
with their date, revoked ones with the reason, and a bounded number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laurel.accounts.models import User
from laurel.badges.factories import (
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.services import BadgeRule, badge_award_revoke, badge_enable, badge_update

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def enable(organisation, *keys: str) -> None:
    for badge in BadgeDefinition.objects.filter(organisation=organisation, default_key__in=keys):
        badge_enable(badge=badge, by=None, confirm=True)


def mentor_meeting(program, mentor, partners: int, *, sessions_each: int = 1) -> None:
    for _ in range(partners):
        pairing = make_pairing(program, mentor, make_participant(program))
        for n in range(sessions_each):
            make_session(pairing, days_ago=20 - n)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def organisation():
    return make_organisation("Northwind")


@pytest.fixture
def program(organisation):
    return make_program(organisation, name="Engineering")


def test_a_mentor_sees_progress_in_words_for_their_role_only(organisation, program):
    enable(organisation, "mentor", "mentee", "connector")
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentor_meeting(program, mentor, 4)
    mentor_meeting(program, mentor, 1, sessions_each=3)
    page = signed_in(mentor.user).get(HOME).content.decode()
    assert "Your badges" in page
    assert "7 of 10 sessions as mentor" in page
    assert "5 of 10 different people" in page
    # She is nobody's mentee: the Mentee badge is not hers to earn.
    assert "sessions as mentee" not in page
    assert 'aria-valuenow="7"' in page and 'aria-valuemax="10"' in page


def test_disabled_badges_are_not_shown(organisation, program):
    mentor = make_participant(program, role="mentor")
    mentor_meeting(program, mentor, 2)
    page = signed_in(mentor.user).get(HOME).content.decode()
    assert "Your badges" not in page


def test_an_earned_badge_shows_its_date_and_the_rest_still_to_earn(organisation, program):
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentor_meeting(program, mentor, 1, sessions_each=10)
    enable(organisation, "mentor", "super_mentor")
    award = IssuedBadge.objects.get(user=mentor.user, badge__default_key="mentor")
    page = signed_in(mentor.user).get(HOME).content.decode()
    earned = page[page.index("Badges you earned") :]
    assert "Mentor" in earned
    assert f'datetime="{award.issued_at:%Y-%m-%d}"' in earned
    assert reverse("verification:badge_page", args=[award.public_id]) in earned
    assert reverse("verification:badge_image", args=[award.public_id]) in earned
    assert "10 of 40 sessions as mentor" in page
    assert "10 of 10 sessions as mentor" not in page


def test_a_revoked_badge_says_so_with_the_reason(organisation, program):
    mentor = make_participant(program, role="mentor")
    mentor_meeting(program, mentor, 1, sessions_each=10)
    enable(organisation, "mentor")
    award = IssuedBadge.objects.get(user=mentor.user)
    badge_award_revoke(award=award, by=None, reason="Sessions logged twice.")
    page = signed_in(mentor.user).get(HOME).content.decode()
    assert "Revoked" in page
    assert "Sessions logged twice." in page
    assert f'href="{reverse("verification:badge_page", args=[award.public_id])}"' not in page


def test_badge_names_are_shown_literally(organisation, program):
    enable(organisation, "mentor")
    badge = BadgeDefinition.objects.get(organisation=organisation, default_key="mentor")
    badge_update(
        badge=badge, by=None, name="<b>Bold</b> Mentor", description="", colour="",
        rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=10), confirm=True,
    )  # fmt: skip
    mentor = make_participant(program, role="mentor")
    mentor_meeting(program, mentor, 1)
    page = signed_in(mentor.user).get(HOME).content.decode()
    assert "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Mentor" in page


def test_badges_of_each_organisation_are_shown_under_its_name(organisation, program):
    enable(organisation, "mentor")
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentor_meeting(program, mentor, 1, sessions_each=2)
    elsewhere = make_organisation("Southwind")
    enable(elsewhere, "mentee")
    their_program = make_program(elsewhere, name="Theirs")
    mentee = make_participant(their_program, email=mentor.user.email, name="Grace Hopper")
    pairing = make_pairing(their_program, make_participant(their_program, role="mentor"), mentee)
    make_session(pairing)
    page = signed_in(mentor.user).get(HOME).content.decode()
    northwind = page.index("Badges to earn at Northwind")
    southwind = page.index("Badges to earn at Southwind")
    assert "2 of 10 sessions as mentor" in page[northwind:southwind]
    assert "1 of 10 sessions as mentee" in page[southwind:]


def test_the_query_count_does_not_grow_with_badges_or_sessions(program, organisation):
    enable(organisation, "mentor", "mentee", "connector")
    mentor = make_participant(program, role="mentor")
    mentor_meeting(program, mentor, 1)
    client = signed_in(mentor.user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    enable(organisation, "super_mentor")
    mentor_meeting(program, mentor, 6, sessions_each=2)
    with CaptureQueriesContext(connection) as more:
        assert client.get(HOME).status_code == 200
    # Fifteen for the page, one for whether the header shows the console link.
    assert len(more) == len(few) <= 16
