"""Creating, editing, enabling and disabling badges: the exact preview, the bound
confirmation, retroactive awards and what a rule change does."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laurel.badges.events import BadgesIssued, badge_changes
from laurel.badges.factories import make_badge, make_organisation, make_program, make_session
from laurel.badges.models import BadgeAuditEntry, BadgeDefinition, IssuedBadge
from laurel.badges.selectors import badge_would_award
from laurel.badges.services import (
    BadgeConfirmationRequired,
    BadgeRule,
    badge_create,
    badge_disable,
    badge_enable,
    badge_image_set,
    badge_update,
)
from laurel.badges.tests.helpers import hold_sessions, holders, mentor_pair
from laurel.errors import InvalidInput
from laurel.testing_images import png_bytes

pytestmark = pytest.mark.django_db

MENTOR_3 = BadgeRule(type="sessions_as_role", role="mentor", threshold=3)


@pytest.fixture
def announced():
    events: list[object] = []
    badge_changes.listen(events.append)
    yield events
    badge_changes._listeners.remove(events.append)


def three_mentors():
    """Grace (5 sessions as mentor), Alan (3) and Joan (2), each with their own mentee."""
    organisation = make_organisation()
    program = make_program(organisation)
    for mentor, mentee, count in (("Grace", "Ada", 5), ("Alan", "Mary", 3), ("Joan", "Emmy", 2)):
        hold_sessions(program, *mentor_pair(program, mentor, mentee), count)
    return organisation, program


def test_enabling_shows_exactly_who_would_receive_it_and_writes_nothing():
    organisation, _ = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3)
    with pytest.raises(BadgeConfirmationRequired) as asked:
        badge_enable(badge=badge, by=None, confirm=False)
    assert [(q.name, q.count) for q in asked.value.would_award] == [("Alan", 3), ("Grace", 5)]
    assert "2 people" in asked.value.detail
    badge.refresh_from_db()
    assert not badge.enabled
    assert not IssuedBadge.objects.exists()


def test_enabling_awards_retroactively_and_announces_the_awards(announced):
    organisation, _ = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3)
    result = badge_enable(badge=badge, by=None, confirm=True)
    assert result.awarded == 2
    assert holders(badge) == {"Grace", "Alan"}
    assert result.badge.enabled and result.badge.enabled_at is not None
    [issued] = [e for e in announced if isinstance(e, BadgesIssued)]
    assert sorted(issued.award_ids) == sorted(IssuedBadge.objects.values_list("pk", flat=True))
    assert issued.organisation_id == organisation.pk
    entry = BadgeAuditEntry.objects.get(action=BadgeAuditEntry.Action.ENABLED)
    assert entry.data == {"awarded": 2}
    # Enabling again changes nothing.
    assert badge_enable(badge=badge, by=None, confirm=True).awarded == 0


def test_a_bound_confirmation_goes_ahead_for_the_people_shown():
    organisation, _ = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3)
    with pytest.raises(BadgeConfirmationRequired) as asked:
        badge_enable(badge=badge, by=None, confirm=False)
    result = badge_enable(badge=badge, by=None, confirm=True, confirmed=asked.value.fingerprint)
    assert result.awarded == 2


def test_a_bound_confirmation_for_other_people_writes_nothing_and_asks_again():
    organisation, program = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3)
    with pytest.raises(BadgeConfirmationRequired) as asked:
        badge_enable(badge=badge, by=None, confirm=False)
    # Joan holds her third session before the admin confirms.
    joan = program.participants.get(user__name="Joan", role="mentor")
    make_session(joan.memberships.get().pairing, days_ago=1)
    with pytest.raises(BadgeConfirmationRequired) as again:
        badge_enable(badge=badge, by=None, confirm=True, confirmed=asked.value.fingerprint)
    assert again.value.changed
    assert "changed since you confirmed" in again.value.detail
    assert [q.name for q in again.value.would_award] == ["Alan", "Grace", "Joan"]
    badge.refresh_from_db()
    assert not badge.enabled
    assert not IssuedBadge.objects.exists()
    assert not BadgeAuditEntry.objects.filter(action=BadgeAuditEntry.Action.ENABLED).exists()
    badge_enable(badge=badge, by=None, confirm=True, confirmed=again.value.fingerprint)
    assert holders(badge) == {"Grace", "Alan", "Joan"}


def test_lowering_the_threshold_of_an_enabled_badge_asks_then_awards():
    organisation, _ = three_mentors()
    badge = make_badge(
        organisation,
        rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=4),
        enabled=True,
    )
    assert holders(badge) == {"Grace"}
    lower = BadgeRule(type="sessions_as_role", role="mentor", threshold=2)
    with pytest.raises(BadgeConfirmationRequired) as asked:
        badge_update(badge=badge, by=None, name=badge.name, description=badge.description,
                     colour="", rule=lower, confirm=False)  # fmt: skip
    assert [q.name for q in asked.value.would_award] == ["Alan", "Joan"]
    badge.refresh_from_db()
    assert badge.threshold == 4
    result = badge_update(badge=badge, by=None, name=badge.name, description=badge.description,
                          colour="", rule=lower, confirm=True, confirmed=asked.value.fingerprint)  # fmt: skip
    assert result.awarded == 2
    assert holders(badge) == {"Grace", "Alan", "Joan"}
    entry = BadgeAuditEntry.objects.get(action=BadgeAuditEntry.Action.RULE_CHANGED)
    assert (entry.data["from"]["threshold"], entry.data["to"]["threshold"]) == (4, 2)


def test_a_stricter_rule_revokes_nothing_and_needs_no_confirmation():
    organisation, _ = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3, enabled=True)
    stricter = BadgeRule(type="sessions_as_role", role="mentor", threshold=50)
    result = badge_update(badge=badge, by=None, name=badge.name, description="",
                          colour="", rule=stricter, confirm=False)  # fmt: skip
    assert result.awarded == 0
    assert result.badge.threshold == 50
    assert holders(badge) == {"Grace", "Alan"}


def test_a_rule_change_of_a_disabled_badge_awards_nobody():
    organisation, _ = three_mentors()
    badge = make_badge(
        organisation, rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=9)
    )
    result = badge_update(badge=badge, by=None, name="Mentor", description="", colour="",
                          rule=MENTOR_3, confirm=False)  # fmt: skip
    assert result.awarded == 0
    assert not IssuedBadge.objects.exists()


def test_design_edits_leave_issued_badges_as_they_were_awarded():
    organisation, _ = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3, enabled=True, name="Guide", colour="#112233")
    badge_update(badge=badge, by=None, name="Guide of the year", description="New words",
                 colour="#445566", rule=MENTOR_3, confirm=False)  # fmt: skip
    assert set(IssuedBadge.objects.values_list("name", "colour")) == {("Guide", "#112233")}
    entry = BadgeAuditEntry.objects.get(action=BadgeAuditEntry.Action.EDITED)
    assert entry.data == {"changed": ["colour", "description", "name"]}


def test_disabling_stops_awarding_and_keeps_what_was_earned():
    organisation, program = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3, enabled=True)
    badge_disable(badge=badge, by=None)
    hold_sessions(program, *mentor_pair(program, "Katherine", "Dorothy"), 3)
    assert holders(badge) == {"Grace", "Alan"}
    assert IssuedBadge.objects.filter(status="valid").count() == 2


@pytest.mark.parametrize(
    ("rule", "field", "words"),
    [
        (BadgeRule(type="stars", threshold=3), "rule.type", "Unknown rule type"),
        (BadgeRule(type="sessions_as_role", threshold=0, role="mentor"), "rule.threshold", "between 1 and"),
        (BadgeRule(type="sessions_as_role", threshold=3, role="coach"), "rule.role", "'mentor' or 'mentee'"),
        (BadgeRule(type="distinct_partners", threshold=3, role="mentor"), "rule.role", "leave the role empty"),
        (BadgeRule(type="distinct_partners", threshold=3, program_kinds=()), "rule.program_kinds", "at least one"),
        (BadgeRule(type="distinct_partners", threshold=3, program_kinds=("cohort",)), "rule.program_kinds", "'cohort'"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_refused_naming_what_is_wrong_and_nothing_is_written(rule, field, words):
    organisation = make_organisation()
    with pytest.raises(InvalidInput) as refused:
        badge_create(organisation=organisation, by=None, name="Star", description="",
                     colour="", rule=rule)  # fmt: skip
    assert words in refused.value.errors[field][0]
    assert BadgeDefinition.objects.filter(organisation=organisation).count() == 4  # the defaults


def test_a_bad_colour_or_missing_name_is_refused():
    organisation = make_organisation()
    with pytest.raises(InvalidInput) as refused:
        badge_create(organisation=organisation, by=None, name="Star", description="",
                     colour="red", rule=MENTOR_3)  # fmt: skip
    assert "#RRGGBB" in refused.value.errors["colour"][0]
    with pytest.raises(InvalidInput) as refused:
        badge_create(organisation=organisation, by=None, name="  ", description="",
                     colour="", rule=MENTOR_3)  # fmt: skip
    assert "name" in refused.value.errors


def test_user_text_is_kept_literally():
    organisation = make_organisation()
    badge = make_badge(organisation, name="<b>{name}</b>", description="Tom & Jerry's <i>")
    badge.refresh_from_db()
    assert (badge.name, badge.description) == ("<b>{name}</b>", "Tom & Jerry's <i>")


def test_the_image_is_checked_and_can_go_back_to_the_emblem():
    organisation = make_organisation()
    badge = make_badge(organisation)
    badge = badge_image_set(badge=badge, by=None, image=SimpleUploadedFile("star.png", png_bytes()))
    assert badge.image.name.startswith("badges/") and badge.image.name.endswith(".png")
    with pytest.raises(InvalidInput) as refused:
        badge_image_set(badge=badge, by=None, image=SimpleUploadedFile("x.png", b"<svg></svg>"))
    assert "SVG" in refused.value.errors["image"][0]
    badge = badge_image_set(badge=badge, by=None, image=None)
    assert badge.image.name == ""
    assert BadgeAuditEntry.objects.filter(badge=badge, action="badge.edited").count() == 2


def test_the_preview_of_a_new_rule_does_not_count_people_who_already_hold_it():
    organisation, _ = three_mentors()
    badge = make_badge(organisation, rule=MENTOR_3, enabled=True)
    lower = BadgeRule(type="sessions_as_role", role="mentor", threshold=1)
    assert [q.name for q in badge_would_award(badge=badge, rule=lower)] == ["Joan"]
