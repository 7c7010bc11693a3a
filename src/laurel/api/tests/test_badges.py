"""Badges, their awards and a person's standing toward them over HTTP."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.api.tests.conftest import problem
from laurel.api.tests.helpers import (
    add_participant,
    create_program,
    pair,
    past_session,
)
from laurel.badges.models import BadgeAuditEntry, BadgeDefinition, IssuedBadge
from laurel.programs.models import Participant


def sessions(api, pairing, count):
    for i in range(count):
        past_session(api, pairing["id"], days_ago=30 - i)


def organisation_with_history(api):
    """In a 1:1 program, Grace mentored Ada 3 times, Katherine mentored Alan twice and Mary
    mentored Ada once. No feedback was given."""
    program = create_program(api)
    grace = add_participant(api, program["id"], "Grace Hopper", "mentor")
    ada = add_participant(api, program["id"], "Ada Lovelace")
    katherine = add_participant(api, program["id"], "Katherine Johnson", "mentor")
    alan = add_participant(api, program["id"], "Alan Turing")
    mary = add_participant(api, program["id"], "Mary Jackson", "mentor")
    sessions(api, pair(api, program["id"], grace, ada), 3)
    sessions(api, pair(api, program["id"], katherine, alan), 2)
    sessions(api, pair(api, program["id"], mary, ada), 1)
    return program, {"grace": grace, "ada": ada, "katherine": katherine, "alan": alan}


def person_id(participant) -> str:
    return str(Participant.objects.get(pk=participant["id"]).user_id)


def mentor_rule(threshold=3, **more):
    return {"type": "sessions_as_role", "role": "mentor", "threshold": threshold, **more}


def create_badge(api, rule=None, name="Mentor", **fields):
    body = {"name": name, "description": "Held sessions as a mentor.", "colour": "#B8860B"}
    response = api.post("/badges", {**body, **fields, "rule": rule or mentor_rule()})
    assert response.status_code == 201, response.content
    return response.json()


def enabled_badge(api, rule=None, **fields):
    badge = create_badge(api, rule, **fields)
    response = api.post(f"/badges/{badge['id']}/enable", {"confirm": True})
    assert response.status_code == 200, response.content
    return response.json()["badge"]


def awards_of(api, badge):
    response = api.get(f"/badges/{badge['id']}/awards")
    assert response.status_code == 200, response.content
    return response.json()["items"]


# --- definitions ----------------------------------------------------------------------------


def test_it_creates_a_disabled_badge(api):
    created = create_badge(api, mentor_rule(5, feedback_required=True), name="Guide")

    assert created == {
        "id": created["id"],
        "name": "Guide",
        "description": "Held sessions as a mentor.",
        "colour": "#B8860B",
        "enabled": False,
        "default_key": None,
        "rule": {
            "type": "sessions_as_role",
            "role": "mentor",
            "threshold": 5,
            "feedback_required": True,
            "program_kinds": ["one_on_one"],
        },
    }
    assert api.get(f"/badges/{created['id']}").json() == created
    listed = api.get("/badges").json()
    assert created in listed["items"]
    assert listed["next_cursor"] is None
    [created_entry] = BadgeAuditEntry.objects.filter(
        badge_id=created["id"], action=BadgeAuditEntry.Action.CREATED
    )
    assert created_entry.actor is None
    assert created_entry.via.startswith("API token lrl_")


def test_a_distinct_partners_badge_has_no_role(api):
    created = create_badge(
        api,
        {"type": "distinct_partners", "threshold": 10, "program_kinds": ["one_on_one", "group"]},
        name="Connector",
        colour="",
    )
    assert created["colour"] == ""
    assert created["rule"] == {
        "type": "distinct_partners",
        "threshold": 10,
        "feedback_required": False,
        "program_kinds": ["one_on_one", "group"],
    }


def test_the_organisations_starting_badges_are_listed_disabled(api):
    defaults = {b["default_key"]: b for b in api.get("/badges").json()["items"] if b["default_key"]}

    assert sorted(defaults) == ["connector", "mentee", "mentor", "super_mentor"]
    assert not any(b["enabled"] for b in defaults.values())
    assert defaults["super_mentor"]["rule"] == {
        "type": "sessions_as_role",
        "role": "mentor",
        "threshold": 40,
        "feedback_required": False,
        "program_kinds": ["one_on_one"],
    }
    assert defaults["connector"]["rule"] == {
        "type": "distinct_partners",
        "threshold": 10,
        "feedback_required": False,
        "program_kinds": ["one_on_one"],
    }


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"type": "sessions_as_role", "threshold": 3}, "rule.role"),
        ({"type": "sessions_as_role", "role": "coach", "threshold": 3}, "rule.role"),
        ({"type": "distinct_partners", "role": "mentor", "threshold": 3}, "rule.role"),
        (mentor_rule(0), "rule.threshold"),
        (mentor_rule(10_001), "rule.threshold"),
        (mentor_rule("5"), "rule.threshold"),
        ({"type": "sessions_as_role", "role": "mentor"}, "rule.threshold"),
        ({"type": "sessions_completed", "threshold": 3}, "rule.type"),
        (mentor_rule(program_kinds=["one_on_one", "webinar"]), "rule.program_kinds.1"),
        (mentor_rule(program_kinds=[]), "rule.program_kinds"),
        (mentor_rule(program_kinds=["group", "group"]), "rule.program_kinds"),
        (mentor_rule(feedback_required="yes"), "rule.feedback_required"),
        (mentor_rule(treshold=3), "rule.treshold"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(api, rule, field):
    before = BadgeDefinition.objects.count()
    body = problem(api.post("/badges", {"name": "Mentor", "description": "", "rule": rule}), 422)
    assert field in body["errors"], body
    assert all(message.endswith(".") for message in body["errors"][field])
    assert BadgeDefinition.objects.count() == before


def test_a_bad_name_or_colour_is_refused_naming_the_field(api):
    before = BadgeDefinition.objects.count()
    body = problem(
        api.post("/badges", {"name": "Mentor", "colour": "gold", "rule": mentor_rule()}), 422
    )
    assert "colour" in body["errors"]
    body = problem(api.post("/badges", {"name": "", "rule": mentor_rule()}), 422)
    assert "name" in body["errors"]
    body = problem(api.post("/badges", {"rule": mentor_rule()}), 422)
    assert body["errors"]["name"] == ["This field is required."]
    assert BadgeDefinition.objects.count() == before


def test_hostile_text_stays_literal(api):
    name = "<script>alert('x')</script> & {{ name }}"
    description = "<img src=x onerror=alert(1)> #{raw} {% now %}"
    response = api.post(
        "/badges", {"name": name, "description": description, "rule": mentor_rule()}
    )

    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    badge = response.json()
    assert (badge["name"], badge["description"]) == (name, description)
    stored = BadgeDefinition.objects.get(pk=badge["id"])
    assert (stored.name, stored.description) == (name, description)


def test_create_is_idempotent_with_a_key(api):
    body = {"name": "Mentor", "rule": mentor_rule()}
    first = api.post("/badges", body, **{"Idempotency-Key": "badge-1"})
    again = api.post("/badges", body, **{"Idempotency-Key": "badge-1"})

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert BadgeDefinition.objects.filter(name="Mentor", default_key="").count() == 1
    problem(api.post("/badges", {**body, "name": "Other"}, **{"Idempotency-Key": "badge-1"}), 409)


# --- enabling -------------------------------------------------------------------------------


def test_enable_flow_lists_exactly_who_would_be_awarded_then_awards_them(api, mailoutbox):
    _, people = organisation_with_history(api)
    badge = create_badge(api, {"type": "sessions_as_role", "role": "mentee", "threshold": 2})
    path = f"/badges/{badge['id']}/enable"

    asked = problem(api.post(path, {"confirm": False}), 409)

    assert asked["type"].endswith("confirmation-required")
    assert asked["would_award"]["count"] == 2
    assert sorted(asked["would_award"]["people"], key=lambda p: p["name"]) == [
        {"person_id": person_id(people["ada"]), "name": "Ada Lovelace", "count": 4},
        {"person_id": person_id(people["alan"]), "name": "Alan Turing", "count": 2},
    ]
    assert asked["fingerprint"]
    assert asked["changed"] is False
    assert not IssuedBadge.objects.exists()
    assert api.get(f"/badges/{badge['id']}").json()["enabled"] is False

    done = api.post(path, {"confirm": True, "confirmed": asked["fingerprint"]})

    assert done.status_code == 200, done.content
    assert done.json() == {"badge": {**badge, "enabled": True}, "awarded": 2}
    awards = awards_of(api, badge)
    assert sorted((a["person_id"], a["recipient_name"]) for a in awards) == sorted(
        (p["person_id"], p["name"]) for p in asked["would_award"]["people"]
    )


def test_a_confirmation_for_another_list_changes_nothing(api):
    program, people = organisation_with_history(api)
    badge = create_badge(api, mentor_rule(3))
    path = f"/badges/{badge['id']}/enable"
    asked = problem(api.post(path, {"confirm": False}), 409)
    assert [p["name"] for p in asked["would_award"]["people"]] == ["Grace Hopper"]
    # Katherine's third session as a mentor makes her qualify before the admin confirms.
    sessions(
        api,
        pair(
            api,
            program["id"],
            people["katherine"],
            add_participant(api, program["id"], "Dorothy Vaughan"),
        ),
        1,
    )

    again = problem(api.post(path, {"confirm": True, "confirmed": asked["fingerprint"]}), 409)

    assert again["changed"] is True
    assert sorted(p["name"] for p in again["would_award"]["people"]) == [
        "Grace Hopper",
        "Katherine Johnson",
    ]
    assert again["fingerprint"] != asked["fingerprint"]
    assert not IssuedBadge.objects.exists()
    assert api.get(f"/badges/{badge['id']}").json()["enabled"] is False


def test_enable_without_a_body_is_a_422(api):
    badge = create_badge(api)
    problem(api.post(f"/badges/{badge['id']}/enable"), 422)
    assert api.get(f"/badges/{badge['id']}").json()["enabled"] is False


def test_disable_keeps_earned_badges_valid(api):
    organisation_with_history(api)
    badge = enabled_badge(api, mentor_rule(3))

    response = api.post(f"/badges/{badge['id']}/disable")

    assert response.status_code == 200, response.content
    assert response.json() == {**badge, "enabled": False}
    assert [a["status"] for a in awards_of(api, badge)] == ["valid"]


# --- editing --------------------------------------------------------------------------------


def test_a_rule_change_that_awards_needs_confirmation(api):
    _, people = organisation_with_history(api)
    badge = enabled_badge(api, mentor_rule(3))
    path = f"/badges/{badge['id']}"

    asked = problem(api.patch(path, {"rule": {"threshold": 2}}), 409)

    assert asked["would_award"] == {
        "count": 1,
        "people": [
            {"person_id": person_id(people["katherine"]), "name": "Katherine Johnson", "count": 2}
        ],
    }
    assert api.get(path).json()["rule"]["threshold"] == 3
    assert len(awards_of(api, badge)) == 1

    done = api.patch(
        path, {"rule": {"threshold": 2}, "confirm": True, "confirmed": asked["fingerprint"]}
    )

    assert done.status_code == 200, done.content
    assert done.json()["awarded"] == 1
    assert done.json()["badge"]["rule"] == {**badge["rule"], "threshold": 2}
    assert len(awards_of(api, badge)) == 2


def test_a_stricter_rule_needs_no_confirmation_and_revokes_nothing(api):
    organisation_with_history(api)
    badge = enabled_badge(api, mentor_rule(3))

    response = api.patch(f"/badges/{badge['id']}", {"rule": {"threshold": 30}})

    assert response.status_code == 200, response.content
    assert response.json()["awarded"] == 0
    assert [(a["recipient_name"], a["status"]) for a in awards_of(api, badge)] == [
        ("Grace Hopper", "valid")
    ]


def test_an_edit_keeps_what_was_not_sent_and_never_changes_awards(api):
    organisation_with_history(api)
    badge = enabled_badge(
        api, mentor_rule(3, program_kinds=["one_on_one", "development"]), name="Guide"
    )

    response = api.patch(
        f"/badges/{badge['id']}",
        {"name": "Trusted Guide", "colour": "#000000", "rule": {"feedback_required": True}},
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "badge": {
            **badge,
            "name": "Trusted Guide",
            "colour": "#000000",
            "rule": {**badge["rule"], "feedback_required": True},
        },
        "awarded": 0,
    }
    [award] = awards_of(api, badge)
    assert (award["name"], award["colour"], award["rule"]) == ("Guide", "#B8860B", badge["rule"])


def test_a_rule_change_of_type_is_checked(api):
    badge = create_badge(api, mentor_rule(3))
    path = f"/badges/{badge['id']}"

    body = problem(api.patch(path, {"rule": {"type": "distinct_partners", "role": "mentee"}}), 422)
    assert "rule.role" in body["errors"]
    body = problem(api.patch(path, {"rule": {"threshold": 0}}), 422)
    assert "rule.threshold" in body["errors"]
    assert api.get(path).json() == badge

    done = api.patch(path, {"rule": {"type": "distinct_partners"}})
    assert done.status_code == 200, done.content
    assert done.json()["badge"]["rule"] == {
        "type": "distinct_partners",
        "threshold": 3,
        "feedback_required": False,
        "program_kinds": ["one_on_one"],
    }
    body = problem(api.patch(path, {"rule": {"type": "sessions_as_role"}}), 422)
    assert "rule.role" in body["errors"]


# --- awards ---------------------------------------------------------------------------------


def test_an_award_is_revoked_with_a_reason_and_reinstated(api):
    _, people = organisation_with_history(api)
    badge = enabled_badge(api, mentor_rule(3))
    [award] = awards_of(api, badge)
    path = f"/badge-awards/{award['id']}"
    assert api.get(path).json() == award
    assert award["person_id"] == person_id(people["grace"])
    assert award["status"] == "valid"
    assert award["public_url"].endswith("/b/" + IssuedBadge.objects.get().public_id)

    body = problem(api.post(f"{path}/revoke", {"reason": ""}), 422)
    assert "reason" in body["errors"] or "reason" in body["detail"]
    problem(api.post(f"{path}/revoke", {}), 422)
    assert api.get(path).json()["status"] == "valid"

    revoked = api.post(f"{path}/revoke", {"reason": "Awarded in error.", "public_reason": True})

    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revocation_reason"] == "Awarded in error."
    assert revoked.json()["revocation_reason_public"] is True
    assert revoked.json()["revoked_at"] is not None
    assert api.get(path).json() == revoked.json()
    problem(api.post(f"{path}/revoke", {"reason": "Again."}), 409)

    reinstated = api.post(f"{path}/reinstate")

    assert reinstated.status_code == 200, reinstated.content
    assert reinstated.json()["status"] == "valid"
    assert reinstated.json()["id"] == award["id"]
    assert reinstated.json()["public_url"] == award["public_url"]
    problem(api.post(f"{path}/reinstate"), 409)
    actions = list(
        BadgeAuditEntry.objects.filter(award_id=award["id"]).values_list("action", flat=True)
    )
    assert sorted(actions) == ["badge_award.reinstated", "badge_award.revoked"]


def test_a_participant_sees_earned_badges_and_their_count_toward_the_others(api):
    _, people = organisation_with_history(api)
    mentor = enabled_badge(api, mentor_rule(3), name="Mentor")
    enabled_badge(api, mentor_rule(40), name="Super Mentor")
    create_badge(api, mentor_rule(1), name="Disabled")
    mentee = enabled_badge(
        api, {"type": "sessions_as_role", "role": "mentee", "threshold": 10}, name="Mentee"
    )

    grace = api.get(f"/participants/{people['grace']['id']}/badges").json()
    ada = api.get(f"/participants/{people['ada']['id']}/badges").json()

    assert [(a["badge_id"], a["name"], a["status"]) for a in grace["earned"]] == [
        (mentor["id"], "Mentor", "valid")
    ]
    assert [(u["name"], u["count"], u["threshold"]) for u in grace["unearned"]] == [
        ("Super Mentor", 3, 40)
    ]
    # Ada holds no mentor role, so the mentor badges are not hers to earn.
    assert ada["earned"] == []
    assert [(u["badge_id"], u["count"], u["threshold"]) for u in ada["unearned"]] == [
        (mentee["id"], 4, 10)
    ]


# --- organisations --------------------------------------------------------------------------


def test_another_organisations_token_gets_404_for_every_badge_operation(api, other_api):
    _, people = organisation_with_history(api)
    badge = enabled_badge(api, mentor_rule(3))
    [award] = awards_of(api, badge)
    b, a = f"/badges/{badge['id']}", f"/badge-awards/{award['id']}"

    for response in (
        other_api.get(b),
        other_api.patch(b, {"name": "Taken"}),
        other_api.post(f"{b}/enable", {"confirm": True}),
        other_api.post(f"{b}/disable"),
        other_api.get(f"{b}/awards"),
        other_api.get(a),
        other_api.post(f"{a}/revoke", {"reason": "Mine now."}),
        other_api.post(f"{a}/reinstate"),
        other_api.get(f"/participants/{people['grace']['id']}/badges"),
    ):
        problem(response, 404)
    assert badge not in other_api.get("/badges").json()["items"]
    assert api.get(b).json() == badge
    assert api.get(a).json() == award


# --- cost -----------------------------------------------------------------------------------


def mentor_of(api, program, mentees):
    """A mentor who held one session with each of ``mentees`` new mentees."""
    mentor = add_participant(
        api, program["id"], f"Mentor of {mentees}", "mentor", f"mentor{mentees}@example.org"
    )
    for i in range(mentees):
        mentee = add_participant(
            api, program["id"], f"Mentee {i}", "mentee", f"mentee{mentees}.{i}@example.org"
        )
        sessions(api, pair(api, program["id"], mentor, mentee), 1)
    return mentor


@pytest.mark.parametrize(
    "path",
    [
        "/badges",
        "/badges/{badge}",
        "/badges/{badge}/awards",
        "/badge-awards/{award}",
        "/participants/{participant}/badges",
    ],
)
def test_a_read_costs_the_same_queries_for_few_people_or_many(
    api, django_assert_max_num_queries, path
):
    program = create_program(api)
    for threshold in (1, 50, 100):
        create_badge(api, mentor_rule(threshold), name=f"Mentor {threshold}")
    api.get("/programs")  # the token's first use of the minute records itself
    counts = []
    for mentees in (1, 12):
        mentor = mentor_of(api, program, mentees)
        badge = enabled_badge(
            api, {"type": "distinct_partners", "threshold": 1}, name=f"Connector {mentees}"
        )
        filled = path.format(
            badge=badge["id"], award=awards_of(api, badge)[0]["id"], participant=mentor["id"]
        )
        with CaptureQueriesContext(connection) as captured:
            assert api.get(filled).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    # 4 of them count the request against its organisation's rate limit.
    with django_assert_max_num_queries(10 + 4):
        assert api.get(filled).status_code == 200


def queries_of(send, path, body):
    with CaptureQueriesContext(connection) as captured:
        response = send(path, body)
    return len(captured), response


def test_enabling_and_a_rule_change_cost_the_same_queries_for_few_people_or_many(api):
    program = create_program(api)
    api.get("/programs")  # the token's first use of the minute records itself
    counts = []
    for mentees in (2, 20):
        mentor_of(api, program, mentees)
        badge = create_badge(
            api, {"type": "distinct_partners", "threshold": 1}, name=f"Connector {mentees}"
        )
        path = f"/badges/{badge['id']}"
        preview, asked = queries_of(api.post, f"{path}/enable", {"confirm": False})
        enable, enabled = queries_of(api.post, f"{path}/enable", {"confirm": True})
        assert enabled.json()["awarded"] == asked.json()["would_award"]["count"] >= mentees + 1
        lowered = create_badge(
            api, {"type": "distinct_partners", "threshold": 2}, name=f"Many {mentees}"
        )
        api.post(f"/badges/{lowered['id']}/enable", {"confirm": True})
        change, changed = queries_of(
            api.patch, f"/badges/{lowered['id']}", {"rule": {"threshold": 1}, "confirm": True}
        )
        assert changed.json()["awarded"] >= mentees
        counts.append((preview, enable, change))
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= 30, counts


def test_revoking_and_reinstating_cost_a_bounded_number_of_queries(
    api, django_assert_max_num_queries
):
    organisation_with_history(api)
    badge = enabled_badge(api, mentor_rule(3))
    [award] = awards_of(api, badge)
    path = f"/badge-awards/{award['id']}"
    with django_assert_max_num_queries(25):
        assert api.post(f"{path}/revoke", {"reason": "Checking."}).status_code == 200
    with django_assert_max_num_queries(25):
        assert api.post(f"{path}/reinstate").status_code == 200


# --- documentation --------------------------------------------------------------------------


def test_every_badge_operation_is_documented_in_the_served_document(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "badge" in path
    }
    assert set(operations) == {
        "GET /api/v1/badges",
        "POST /api/v1/badges",
        "GET /api/v1/badges/{badge_id}",
        "PATCH /api/v1/badges/{badge_id}",
        "POST /api/v1/badges/{badge_id}/enable",
        "POST /api/v1/badges/{badge_id}/disable",
        "GET /api/v1/badges/{badge_id}/awards",
        "GET /api/v1/badge-awards/{badge_award_id}",
        "POST /api/v1/badge-awards/{badge_award_id}/revoke",
        "POST /api/v1/badge-awards/{badge_award_id}/reinstate",
        "GET /api/v1/participants/{participant_id}/badges",
    }
    for name, operation in operations.items():
        assert operation["summary"], name
        assert set(operation["tags"]) & {"Badges", "Badge awards"}, name
    enable = operations["POST /api/v1/badges/{badge_id}/enable"]
    assert "would_award" in enable["description"]
    conflict = enable["responses"]["409"]["content"]["application/problem+json"]
    assert conflict["example"]["would_award"]["count"] == 2
    assert conflict["schema"] == {"$ref": "#/components/schemas/BadgeConfirmationProblem"}
