"""Issued badges: the frozen snapshot, revocation and reinstatement, losing progress never
revokes, a program kind change awards what is now earned, and the recipient's choice to
show a badge."""

from __future__ import annotations

import re

import pytest

from laurel.accounts.models import User
from laurel.badges.events import BadgeReinstated, BadgeRevoked, BadgesIssued, badge_changes
from laurel.badges.factories import (
    give_feedback,
    make_badge,
    make_organisation,
    make_participant,
    make_program,
)
from laurel.badges.models import BadgeAuditEntry, IssuedBadge, RoleTally
from laurel.badges.services import (
    BadgeRule,
    badge_award_reinstate,
    badge_award_revoke,
    badge_award_visibility,
    badge_update,
)
from laurel.badges.tests.helpers import hold_sessions, holders, mentor_pair
from laurel.errors import Conflict, InvalidInput, NotFound
from laurel.programs.configuration import program_update
from laurel.programs.models import Feedback
from laurel.programs.services import feedback_delete

pytestmark = pytest.mark.django_db

MENTOR_2 = BadgeRule(type="sessions_as_role", role="mentor", threshold=2)


@pytest.fixture
def announced():
    events: list[object] = []
    badge_changes.listen(events.append)
    yield events
    badge_changes._listeners.remove(events.append)


def awarded_grace(**badge_options):
    organisation = make_organisation("Northwind")
    badge = make_badge(organisation, rule=MENTOR_2, enabled=True, **badge_options)
    program = make_program(organisation)
    hold_sessions(program, *mentor_pair(program, "Grace Hopper", "Ada"), 2)
    return organisation, badge, IssuedBadge.objects.get(badge=badge)


def test_an_award_freezes_what_it_shows():
    organisation, badge, award = awarded_grace(name="Guide", description="Two sessions.")
    assert (award.recipient_name, award.name, award.description) == (
        "Grace Hopper", "Guide", "Two sessions.",
    )  # fmt: skip
    assert (award.organisation_name, award.colour) == ("Northwind", organisation.accent_colour)
    assert (award.rule, award.role, award.threshold, award.feedback_required) == (
        "sessions_as_role", "mentor", 2, False,
    )  # fmt: skip
    assert award.program_kinds == ["one_on_one"]
    assert (award.method, award.status, award.is_public) == ("automatic", "valid", True)
    User.objects.filter(pk=award.user_id).update(name="Grace B. Hopper")
    badge_update(badge=badge, by=None, name="Renamed", description="", colour="#000000",
                 rule=MENTOR_2, confirm=False)  # fmt: skip
    award.refresh_from_db()
    assert (award.recipient_name, award.name, award.colour) == (
        "Grace Hopper", "Guide", organisation.accent_colour,
    )  # fmt: skip


def test_awarded_once_however_many_more_sessions(announced):
    organisation, badge, _award = awarded_grace()
    assert len(announced) == 1
    announced.clear()
    program = organisation.programs.get()
    grace = program.participants.get(role="mentor")
    hold_sessions(program, grace, make_participant(program, name="Alan"), 3)
    assert IssuedBadge.objects.filter(badge=badge).count() == 1
    assert not [e for e in announced if isinstance(e, BadgesIssued)]


def test_every_award_of_an_enable_has_its_own_unguessable_public_id(client):
    organisation = make_organisation("Northwind")
    program = make_program(organisation)
    for n in range(40):
        hold_sessions(program, *mentor_pair(program, f"Mentor {n}", f"Mentee {n}"), 2)
    badge = make_badge(organisation, rule=MENTOR_2, enabled=True)

    public_ids = list(IssuedBadge.objects.filter(badge=badge).values_list("public_id", flat=True))

    assert len(public_ids) == len(set(public_ids)) == 40
    assert all(re.fullmatch(r"[0-9a-f]{32}", public_id) for public_id in public_ids)
    # Random digits: across 40 ids every hex digit turns up.
    assert len(set("".join(public_ids))) == 16
    assert client.get(f"/b/{public_ids[0]}").status_code == 200


def test_revoke_and_reinstate_keep_the_audit_log_and_announce(announced):
    admin = User.objects.create_user(email="admin@example.org", name="Admin")
    _, badge, award = awarded_grace()
    announced.clear()
    with pytest.raises(InvalidInput) as refused:
        badge_award_revoke(award=award, by=admin, reason="  ")
    assert "reason" in refused.value.errors
    award = badge_award_revoke(award=award, by=admin, reason="Sessions were logged twice",
                               public_reason=True, via="API token ci")  # fmt: skip
    assert (award.status, award.revocation_reason, award.revocation_reason_public) == (
        "revoked", "Sessions were logged twice", True,
    )  # fmt: skip
    with pytest.raises(Conflict):
        badge_award_revoke(award=award, by=admin, reason="again")
    award = badge_award_reinstate(award=award, by=admin)
    assert (award.status, award.revoked_at, award.revocation_reason) == ("valid", None, "")
    with pytest.raises(Conflict):
        badge_award_reinstate(award=award, by=admin)
    badge_award_revoke(award=award, by=admin, reason="Second look")
    assert announced == [
        BadgeRevoked(award_id=award.pk, organisation_id=badge.organisation_id, occurrence=1),
        BadgeReinstated(award_id=award.pk, organisation_id=badge.organisation_id),
        BadgeRevoked(award_id=award.pk, organisation_id=badge.organisation_id, occurrence=2),
    ]
    entries = list(BadgeAuditEntry.objects.filter(award=award).order_by("pk"))
    assert [e.action for e in entries] == [
        "badge_award.revoked", "badge_award.reinstated", "badge_award.revoked",
    ]  # fmt: skip
    assert entries[0].via == "API token ci" and entries[0].actor == admin
    assert entries[1].data["revocation_reason"] == "Sessions were logged twice"
    assert all(e.badge_id == badge.pk for e in entries)


def test_a_revoked_badge_is_not_awarded_again_by_the_engine():
    organisation, badge, award = awarded_grace()
    badge_award_revoke(award=award, by=None, reason="Logged twice")
    program = organisation.programs.get()
    grace = program.participants.get(role="mentor")
    hold_sessions(program, grace, make_participant(program, name="Alan"), 2)
    assert list(IssuedBadge.objects.filter(badge=badge).values_list("status", flat=True)) == [
        "revoked"
    ]


def test_withdrawn_feedback_never_revokes():
    organisation = make_organisation()
    badge = make_badge(
        organisation,
        rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=2, feedback_required=True),
        enabled=True,
    )
    program = make_program(organisation)
    mentor, mentee = mentor_pair(program, "Grace", "Ada")
    hold_sessions(program, mentor, mentee, 2, feedback=True)
    assert holders(badge) == {"Grace"}
    for feedback in Feedback.objects.all():
        feedback_delete(feedback=feedback)
    assert list(IssuedBadge.objects.values_list("recipient_name", "status")) == [("Grace", "valid")]
    # The tally did go down: the next feedback alone does not reach two again.
    make_participant(program, name="Alan")
    session = program.pairings.get().sessions.earliest("starts_at")
    give_feedback(session, mentee)
    assert RoleTally.objects.get(program=program, user=mentor.user).sessions_counting == 1


def test_a_program_kind_change_awards_what_now_counts():
    organisation = make_organisation()
    admin = User.objects.create_user(email="admin@example.org", name="Admin")
    organisation.admins.add(admin)
    badge = make_badge(
        organisation,
        rule=BadgeRule(
            type="sessions_as_role", role="mentor", threshold=2, program_kinds=("group",)
        ),
        enabled=True,
    )
    program = make_program(organisation)
    hold_sessions(program, *mentor_pair(program, "Grace", "Ada"), 2)
    assert holders(badge) == set()
    program_update(program=program, by=admin, name=program.name, kind="group",
                   allow_both_roles=True)  # fmt: skip
    assert holders(badge) == {"Grace"}
    # Back to 1:1: the sessions stop counting, and nothing is taken away.
    program_update(program=program, by=admin, name=program.name, kind="one_on_one",
                   allow_both_roles=True)  # fmt: skip
    assert holders(badge) == {"Grace"}


def test_only_the_recipient_shows_or_hides_their_badge():
    _, _, award = awarded_grace()
    stranger = User.objects.create_user(email="eve@example.org", name="Eve")
    with pytest.raises(NotFound):
        badge_award_visibility(award=award, user=stranger, is_public=False)
    award.refresh_from_db()
    assert award.is_public
    award = badge_award_visibility(award=award, user=award.user, is_public=False)
    award.refresh_from_db()
    assert not award.is_public
