"""Badges in the console: the list with who is closest, creating and editing, enabling and
changing a rule with the exact confirmation, disabling, the image, holders with revoke and
reinstate, and the badge's history."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from laurel.badges.factories import (
    make_badge,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.badges.models import BadgeAuditEntry, BadgeDefinition, IssuedBadge
from laurel.badges.services import BadgeRule, badge_award_revoke
from laurel.console.tests.helpers import admin_client, admin_of

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script> & Co"


@pytest.fixture
def organisation():
    return make_organisation("Northwind")


@pytest.fixture
def program(organisation):
    return make_program(organisation, name="Engineering")


@pytest.fixture
def client(organisation):
    return admin_client(organisation)


def mentor_rule(threshold: int = 3, **changes) -> BadgeRule:
    return BadgeRule(type="sessions_as_role", role="mentor", threshold=threshold, **changes)


def mentor_with_sessions(program, sessions: int, *, name: str):
    """A mentor who held ``sessions`` completed sessions with one mentee (no feedback)."""
    mentor = make_participant(program, role="mentor", name=name)
    pairing = make_pairing(program, mentor, make_participant(program))
    for n in range(sessions):
        make_session(pairing, days_ago=30 - n)
    return mentor


def form_data(**changes):
    data = {
        "name": "Steady Mentor",
        "description": "For mentors who keep showing up.",
        "colour": "#1f6feb",
        "rule": "sessions_as_role",
        "role": "mentor",
        "threshold": "3",
        "program_kinds": ["one_on_one"],
    }
    data.update(changes)
    return data


def url(name, *args):
    return reverse(f"console:{name}", args=list(args))


def holder(badge, name):
    return IssuedBadge.objects.get(badge=badge, recipient_name=name)


# --- who may open the pages ---------------------------------------------------------


def test_organisation_pages_404_for_another_organisations_admin(organisation):
    other = admin_client(make_organisation("Other"))
    assert other.get(url("badges", organisation.pk)).status_code == 404
    assert other.get(url("badge_new", organisation.pk)).status_code == 404
    assert other.post(url("badge_new", organisation.pk), form_data()).status_code == 404
    assert not BadgeDefinition.objects.filter(name="Steady Mentor").exists()


def test_badge_pages_404_for_another_organisations_admin(organisation, program):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(), enabled=True, name="Steady")
    award = holder(badge, "Grace Hopper")
    other = admin_client(make_organisation("Other"))
    for name in ("badge_edit", "badge_enable", "badge_holders"):
        assert other.get(url(name, badge.pk)).status_code == 404
    assert other.get(url("badge_change_confirm", badge.pk), form_data()).status_code == 404
    assert other.get(url("badge_award", award.pk)).status_code == 404
    assert other.post(url("badge_disable", badge.pk)).status_code == 404
    assert other.post(url("badge_edit", badge.pk), form_data(name="Taken")).status_code == 404
    revoke = {"reason": "Not theirs to revoke."}
    assert other.post(url("badge_award_revoke", award.pk), revoke).status_code == 404
    badge.refresh_from_db()
    award.refresh_from_db()
    assert (badge.enabled, badge.name, award.status) == (True, "Steady", "valid")


def test_a_participant_gets_a_404_and_a_visitor_is_sent_to_sign_in(organisation, program):
    participant = mentor_with_sessions(program, 1, name="Grace Hopper")
    visitor = Client()
    visitor.force_login(participant.user)
    assert visitor.get(url("badges", organisation.pk)).status_code == 404
    response = Client().get(url("badges", organisation.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_console_home_links_to_the_badges(organisation, client):
    page = client.get(url("home")).content.decode()
    assert url("badges", organisation.pk) in page


# --- the list ---------------------------------------------------------------------


def test_the_list_shows_the_rule_in_words_state_and_counts(organisation, program, client):
    for name in ("Grace Hopper", "Alan Turing"):
        mentor_with_sessions(program, 10, name=name)
    steady = make_badge(organisation, rule=mentor_rule(10), enabled=True, name="Steady")
    badge_award_revoke(
        award=holder(steady, "Alan Turing"), by=admin_of(organisation), reason="A mistake."
    )
    make_badge(
        organisation,
        rule=BadgeRule(
            type="distinct_partners",
            threshold=10,
            feedback_required=True,
            program_kinds=("one_on_one", "development"),
        ),
        name="Wide Net",
    )
    response = client.get(url("badges", organisation.pk))
    page = response.content.decode()
    assert "10 sessions as mentor, in 1:1 programs, no feedback needed" in page
    assert (
        "Sessions with 10 different people, in 1:1 and development programs, feedback needed"
        in page
    )
    steady_summary = next(s for s, _ in response.context["summaries"] if s.badge == steady)
    assert (steady_summary.earned, steady_summary.revoked) == (1, 1)
    assert "Enabled" in page and "Disabled" in page


def test_the_list_names_the_five_closest_with_their_counts(organisation, program, client):
    for count, name in enumerate(["Ada", "Bea", "Cy", "Dot", "Eve", "Fay", "Gus"], start=1):
        mentor_with_sessions(program, count, name=f"{name} Mentor")
    make_badge(organisation, rule=mentor_rule(10), name="Steady")
    page = client.get(url("badges", organisation.pk)).content.decode()
    closest = page[page.index("Closest to earning it") :]
    closest = closest[: closest.index("</ol>")]
    names = [
        n for n in ["Gus", "Fay", "Eve", "Dot", "Cy", "Bea", "Ada"] if f"{n} Mentor" in closest
    ]
    assert names == ["Gus", "Fay", "Eve", "Dot", "Cy"]
    assert closest.index("Gus Mentor") < closest.index("Cy Mentor")
    assert "7 of 10" in closest


def test_names_are_shown_literally(organisation, program, client):
    mentor_with_sessions(program, 2, name=HOSTILE)
    badge = make_badge(organisation, rule=mentor_rule(2), name=HOSTILE)
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co"
    for address in (
        url("badges", organisation.pk),
        url("badge_enable", badge.pk),
        url("badge_edit", badge.pk),
    ):
        page = client.get(address).content.decode()
        assert HOSTILE not in page
        assert escaped in page


# --- creating and editing ---------------------------------------------------------


def test_create_makes_a_disabled_badge(organisation, client):
    response = client.post(
        url("badge_new", organisation.pk),
        form_data(program_kinds=["one_on_one", "group"], feedback_required="on"),
    )
    assert response.status_code == 303
    badge = BadgeDefinition.objects.get(organisation=organisation, name="Steady Mentor")
    assert (
        badge.rule,
        badge.role,
        badge.threshold,
        badge.feedback_required,
        sorted(badge.program_kinds),
        badge.colour.lower(),
        badge.enabled,
    ) == ("sessions_as_role", "mentor", 3, True, ["group", "one_on_one"], "#1f6feb", False)
    assert BadgeAuditEntry.objects.filter(badge=badge, action="badge.created").exists()


def test_the_accent_colour_leaves_the_colour_blank(organisation, client):
    client.post(url("badge_new", organisation.pk), form_data(use_accent="on"))
    assert BadgeDefinition.objects.get(name="Steady Mentor").colour == ""


def test_different_people_need_no_role(organisation, client):
    client.post(url("badge_new", organisation.pk), form_data(rule="distinct_partners"))
    badge = BadgeDefinition.objects.get(name="Steady Mentor")
    assert (badge.rule, badge.role) == ("distinct_partners", "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"threshold": "0"}, "threshold", "Enter at least 1."),
        ({"threshold": "many"}, "threshold", "Enter a whole number."),
        ({"role": ""}, "role", "Choose whose sessions count"),
        ({"program_kinds": []}, "program_kinds", "Choose at least one kind of program."),
        ({"colour": "red"}, "colour", "#RRGGBB"),
    ],
)
def test_create_puts_errors_beside_fields_and_keeps_the_input(
    organisation, client, changes, field, message
):
    response = client.post(
        url("badge_new", organisation.pk), form_data(description="Kept as typed.", **changes)
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page or f"id_{field}_" in page
    assert "Kept as typed." in page
    assert not BadgeDefinition.objects.filter(name="Steady Mentor").exists()


def test_edit_saves_a_change_that_awards_nobody(organisation, client):
    badge = make_badge(organisation, rule=mentor_rule(10), enabled=True, name="Steady")
    response = client.post(
        url("badge_edit", badge.pk),
        form_data(name="Very Steady", threshold="12", description="New words."),
    )
    assert response.status_code == 303
    badge.refresh_from_db()
    assert (badge.name, badge.threshold, badge.description) == ("Very Steady", 12, "New words.")


def test_edit_errors_keep_the_input(organisation, client):
    badge = make_badge(organisation, rule=mentor_rule(10), name="Steady")
    response = client.post(url("badge_edit", badge.pk), form_data(name="", threshold="4"))
    assert response.status_code == 422
    assert response.context["form"]["threshold"].value() == "4"
    badge.refresh_from_db()
    assert (badge.name, badge.threshold) == ("Steady", 10)


def test_lowering_the_threshold_asks_for_an_exact_confirmation(organisation, program, client):
    mentor_with_sessions(program, 4, name="Grace Hopper")
    mentor_with_sessions(program, 2, name="Alan Turing")
    badge = make_badge(organisation, rule=mentor_rule(10), enabled=True, name="Steady")
    response = client.post(url("badge_edit", badge.pk), form_data(name="Steady", threshold="4"))
    assert response.status_code == 303
    assert response["Location"].startswith(url("badge_change_confirm", badge.pk))
    badge.refresh_from_db()
    assert badge.threshold == 10
    confirm = client.get(response["Location"])
    page = confirm.content.decode()
    assert "This awards the badge now to <strong>1 person</strong>" in page
    assert "<li>Grace Hopper</li>" in page and "Alan Turing" not in page
    assert "4 sessions as mentor, in 1:1 programs, no feedback needed" in page
    fingerprint = confirm.context["fingerprint"]
    saved = client.post(
        url("badge_edit", badge.pk),
        form_data(name="Steady", threshold="4", fingerprint=fingerprint),
    )
    assert saved.status_code == 303
    badge.refresh_from_db()
    assert badge.threshold == 4
    assert list(
        IssuedBadge.objects.filter(badge=badge).values_list("recipient_name", flat=True)
    ) == ["Grace Hopper"]


def test_a_changed_set_asks_again_instead_of_saving(organisation, program, client):
    mentor_with_sessions(program, 4, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(10), enabled=True, name="Steady")
    confirm = client.get(
        url("badge_change_confirm", badge.pk),
        form_data(name="Steady", threshold="4"),
    )
    fingerprint = confirm.context["fingerprint"]
    mentor_with_sessions(program, 5, name="Katherine Johnson")  # qualifies meanwhile
    response = client.post(
        url("badge_edit", badge.pk),
        form_data(name="Steady", threshold="4", fingerprint=fingerprint),
    )
    assert response.status_code == 303
    assert "changed=1" in response["Location"]
    badge.refresh_from_db()
    assert badge.threshold == 10
    assert not IssuedBadge.objects.filter(badge=badge).exists()
    again = client.get(response["Location"]).content.decode()
    assert "changed since the list was shown" in again
    assert "Katherine Johnson" in again and "Grace Hopper" in again


def test_back_to_editing_keeps_the_change_and_writes_nothing(organisation, program, client):
    mentor_with_sessions(program, 4, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(10), enabled=True, name="Steady")
    response = client.post(url("badge_edit", badge.pk), form_data(threshold="4", back="1"))
    assert response.status_code == 200
    assert response.context["form"]["threshold"].value() == "4"
    badge.refresh_from_db()
    assert badge.threshold == 10


# --- enabling and disabling --------------------------------------------------------


def test_enable_shows_exactly_who_will_be_awarded(organisation, program, client):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    mentor_with_sessions(program, 3, name="Alan Turing")
    mentor_with_sessions(program, 2, name="Joan Clarke")
    badge = make_badge(organisation, rule=mentor_rule(3), name="Steady")
    response = client.get(url("badge_enable", badge.pk))
    page = response.content.decode()
    assert "This awards the badge now to <strong>2 people</strong>" in page
    assert "<li>Alan Turing</li>" in page and "<li>Grace Hopper</li>" in page
    assert "Joan Clarke" not in page
    assert "Enable and award 2 people" in page
    assert not IssuedBadge.objects.exists()


def test_confirming_enables_awards_and_queues_the_emails(organisation, program, client, run_tasks):
    grace = mentor_with_sessions(program, 3, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(3), name="Steady")
    fingerprint = client.get(url("badge_enable", badge.pk)).context["fingerprint"]
    response = client.post(url("badge_enable", badge.pk), {"fingerprint": fingerprint})
    assert response.status_code == 303
    badge.refresh_from_db()
    assert badge.enabled
    assert holder(badge, "Grace Hopper").status == "valid"
    run_tasks()
    assert [message.to for message in mail.outbox] == [[grace.user.email]]
    after = client.get(response["Location"]).content.decode()
    assert "is enabled and awarded to 1 person" in after


def test_someone_qualifying_meanwhile_makes_it_ask_again(organisation, program, client):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(3), name="Steady")
    fingerprint = client.get(url("badge_enable", badge.pk)).context["fingerprint"]
    mentor_with_sessions(program, 3, name="Alan Turing")
    response = client.post(url("badge_enable", badge.pk), {"fingerprint": fingerprint})
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed since the list was shown" in page
    assert "<li>Alan Turing</li>" in page and "<li>Grace Hopper</li>" in page
    badge.refresh_from_db()
    assert not badge.enabled
    assert not IssuedBadge.objects.exists()


def test_enabling_without_the_shown_list_enables_nothing(organisation, program, client):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(3), name="Steady")
    response = client.post(url("badge_enable", badge.pk), {})
    assert response.status_code == 409
    badge.refresh_from_db()
    assert not badge.enabled


def test_the_people_to_award_are_searchable_and_paged(organisation, program, client):
    for n in range(55):
        mentor_with_sessions(program, 1, name=f"Person {n:02d}")
    mentor_with_sessions(program, 1, name="Zed Unique")
    badge = make_badge(organisation, rule=mentor_rule(1), name="First")
    first = client.get(url("badge_enable", badge.pk))
    assert first.context["count"] == 56
    assert len(first.context["page"].object_list) == 50
    second = client.get(url("badge_enable", badge.pk), {"page": "2"})
    assert len(second.context["page"].object_list) == 6
    found = client.get(url("badge_enable", badge.pk), {"q": "zed"})
    assert [q.name for q in found.context["page"].object_list] == ["Zed Unique"]
    # The search narrows what is shown, never what is confirmed.
    assert found.context["fingerprint"] == first.context["fingerprint"]


def test_disable_keeps_earned_badges(organisation, program, client):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(3), enabled=True, name="Steady")
    response = client.post(url("badge_disable", badge.pk))
    assert response.status_code == 303
    badge.refresh_from_db()
    assert not badge.enabled
    assert holder(badge, "Grace Hopper").status == "valid"


# --- the image --------------------------------------------------------------------


def png(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#1f6feb").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_uploaded_image_replaces_the_emblem_and_can_be_removed(organisation, client):
    badge = make_badge(organisation, rule=mentor_rule(3), name="Steady")
    upload = SimpleUploadedFile("steady.png", png(), content_type="image/png")
    response = client.post(url("badge_image", badge.pk), {"image": upload})
    assert response.status_code == 303
    badge.refresh_from_db()
    assert badge.image.name.endswith(".png")
    page = client.get(url("badge_edit", badge.pk)).content.decode()
    assert badge.image.url in page
    client.post(url("badge_image", badge.pk), {"use_emblem": "on"})
    badge.refresh_from_db()
    assert not badge.image


def test_a_file_that_is_not_an_image_is_refused_beside_the_field(organisation, client):
    badge = make_badge(organisation, rule=mentor_rule(3), name="Steady")
    upload = SimpleUploadedFile("steady.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(url("badge_image", badge.pk), {"image": upload})
    assert response.status_code == 422
    assert response.context["image_form"].errors["image"]
    assert 'id="id_image_error"' in response.content.decode()
    badge.refresh_from_db()
    assert not badge.image


# --- holders, revoking and reinstating ---------------------------------------------


def test_holders_are_listed_searchable_with_the_badges_history(organisation, program, client):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    mentor_with_sessions(program, 3, name="Alan Turing")
    badge = make_badge(organisation, rule=mentor_rule(3), enabled=True, name="Steady")
    response = client.get(url("badge_holders", badge.pk))
    page = response.content.decode()
    assert "Grace Hopper" in page and "Alan Turing" in page
    assert url("badge_award", holder(badge, "Grace Hopper").pk) in page
    assert "Badge enabled" in page
    found = client.get(url("badge_holders", badge.pk), {"q": "grace"})
    assert [a.recipient_name for a in found.context["page"].object_list] == ["Grace Hopper"]


def test_revoke_needs_a_reason_beside_the_field(organisation, program, client):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(3), enabled=True, name="Steady")
    award = holder(badge, "Grace Hopper")
    response = client.post(url("badge_award_revoke", award.pk), {"reason": ""})
    assert response.status_code == 422
    assert "Give a reason" in response.content.decode()
    award.refresh_from_db()
    assert award.status == "valid"


def test_revoke_and_reinstate_are_kept_in_the_history(organisation, program, client):
    mentor_with_sessions(program, 3, name="Grace Hopper")
    badge = make_badge(organisation, rule=mentor_rule(3), enabled=True, name="Steady")
    award = holder(badge, "Grace Hopper")
    response = client.post(
        url("badge_award_revoke", award.pk),
        {"reason": "Counted a <b>test</b> session.", "public_reason": "on"},
    )
    assert response.status_code == 303
    award.refresh_from_db()
    assert (award.status, award.revocation_reason, award.revocation_reason_public) == (
        "revoked",
        "Counted a <b>test</b> session.",
        True,
    )
    page = client.get(url("badge_award", award.pk)).content.decode()
    assert "Counted a &lt;b&gt;test&lt;/b&gt; session." in page
    assert "Reinstate badge" in page
    assert client.post(url("badge_award_reinstate", award.pk)).status_code == 303
    award.refresh_from_db()
    assert award.status == "valid"
    history = client.get(url("badge_holders", badge.pk)).content.decode()
    assert "Badge revoked" in history and "Badge reinstated" in history


# --- bounded queries ----------------------------------------------------------------


def test_the_pages_query_counts_do_not_grow(
    organisation, program, client, django_assert_max_num_queries
):
    for n in range(12):
        mentor_with_sessions(program, 3 + n % 4, name=f"Mentor {n}")
    badges = [
        make_badge(organisation, rule=mentor_rule(threshold), enabled=True, name=f"B{threshold}")
        for threshold in (3, 4, 5, 8)
    ]
    wide = make_badge(
        organisation, rule=BadgeRule(type="distinct_partners", threshold=1), name="Wide"
    )
    badge = badges[0]
    award = IssuedBadge.objects.filter(badge=badge).first()
    assert award is not None
    pages = [
        url("badges", organisation.pk),
        url("badge_new", organisation.pk),
        url("badge_edit", badge.pk),
        url("badge_enable", wide.pk),
        url("badge_holders", badge.pk),
        url("badge_award", award.pk),
        url("badge_change_confirm", badge.pk) + "?" + urlencode(form_data(threshold="1"), True),
    ]
    for page in pages:
        with django_assert_max_num_queries(6):
            assert client.get(page).status_code == 200, page
