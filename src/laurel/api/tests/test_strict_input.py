"""Input is taken as sent: no numbers from strings, no integers from booleans, no unknown
fields and no fields of the other kind of rule; each refusal names its field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from laurel.api.tests.conftest import problem
from laurel.api.tests.helpers import (
    add_participant,
    create_certificate,
    create_program,
    pair,
    past_session,
)
from laurel.certificates.models import CertificateDefinition
from laurel.programs.models import Feedback, Program, Session

CERTIFICATE = {"name": "C", "text": "T", "colour": "#1F6FEB"}


@pytest.fixture
def program(api):
    return create_program(api)


def post_certificate(api, program, rule, **extra):
    return api.post(
        f"/programs/{program['id']}/certificates", {**CERTIFICATE, "rule": rule, **extra}
    )


@pytest.mark.parametrize("threshold", ["5", True, 5.0, 5.5, [5]])
def test_a_threshold_must_be_a_json_integer(api, program, threshold):
    response = post_certificate(
        api, program, {"type": "sessions_completed", "threshold": threshold}
    )
    body = problem(response, 422)
    assert list(body["errors"]) == ["rule.threshold"]
    assert "whole number" in body["errors"]["rule.threshold"][0]
    assert not CertificateDefinition.objects.exists()


def test_a_misspelt_field_is_refused_not_ignored(api, program):
    response = post_certificate(api, program, {"type": "sessions_completed", "treshold": 5})
    body = problem(response, 422)
    assert "not recognised" in body["errors"]["rule.treshold"][0]
    assert not CertificateDefinition.objects.exists()


def test_an_unknown_top_level_field_is_refused(api, program):
    response = post_certificate(api, program, {"type": "manual"}, colour_name="blue")
    assert "not recognised" in problem(response, 422)["errors"]["colour_name"][0]
    response = api.post("/programs", {"name": "P", "kind": "group", "owner": "me"})
    assert list(problem(response, 422)["errors"]) == ["owner"]
    assert not Program.objects.filter(name="P").exists()


def test_a_threshold_on_a_manual_rule_is_refused(api, program):
    response = post_certificate(api, program, {"type": "manual", "threshold": 3})
    body = problem(response, 422)
    assert body["errors"] == {
        "rule.threshold": [
            "A manual rule has no threshold; remove it, or use the type sessions_completed."
        ]
    }
    assert not CertificateDefinition.objects.exists()


def test_guidance_on_a_sessions_completed_rule_is_refused(api, program):
    response = post_certificate(
        api, program, {"type": "sessions_completed", "threshold": 3, "guidance": "Attend."}
    )
    body = problem(response, 422)
    assert list(body["errors"]) == ["rule.guidance"]
    assert "no guidance" in body["errors"]["rule.guidance"][0]
    assert not CertificateDefinition.objects.exists()


def test_a_rule_change_is_checked_the_same_way(api, program):
    created = create_certificate(api, program["id"], threshold=3)
    path = f"/certificates/{created['id']}"
    body = problem(api.patch(path, {"rule": {"type": "manual", "threshold": 3}}), 422)
    assert list(body["errors"]) == ["rule.threshold"]
    body = problem(api.patch(path, {"rule": {"type": "sessions_completed", "threshold": "2"}}), 422)
    assert list(body["errors"]) == ["rule.threshold"]
    body = problem(api.patch(path, {"nmae": "New"}), 422)
    assert list(body["errors"]) == ["nmae"]
    assert api.get(path).json() == created


@pytest.mark.parametrize("confirm", ["true", 1, "yes", None])
def test_confirm_must_be_a_json_boolean(api, program, confirm):
    created = create_certificate(api, program["id"], threshold=3)
    response = api.post(f"/certificates/{created['id']}/enable", {"confirm": confirm})
    body = problem(response, 422)
    assert body["errors"]["confirm"] == ["Must be true or false."]
    assert api.get(f"/certificates/{created['id']}").json()["enabled"] is False


def test_session_and_feedback_numbers_must_be_json_integers(api, program):
    mentor = add_participant(api, program["id"], "Grace Hopper", "mentor")
    mentee = add_participant(api, program["id"], "Ada Lovelace")
    pairing = pair(api, program["id"], mentor, mentee)
    starts_at = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": starts_at, "duration_minutes": "60", "status": "completed"},
    )
    assert list(problem(response, 422)["errors"]) == ["duration_minutes"]
    assert not Session.objects.exists()
    session = past_session(api, pairing["id"])
    response = api.post(
        f"/sessions/{session['id']}/feedback", {"participant_id": mentee["id"], "rating": True}
    )
    assert list(problem(response, 422)["errors"]) == ["rating"]
    response = api.post(
        f"/sessions/{session['id']}/feedback",
        {"participant_id": mentee["id"], "rating": 4, "stars": 5},
    )
    assert list(problem(response, 422)["errors"]) == ["stars"]
    assert not Feedback.objects.exists()


def test_well_formed_input_is_still_accepted(api, program):
    manual = post_certificate(api, program, {"type": "manual", "guidance": "Present."})
    assert manual.status_code == 201, manual.content
    counted = post_certificate(api, program, {"type": "sessions_completed", "threshold": 5})
    assert counted.status_code == 201, counted.content
    assert counted.json()["rule"] == {"type": "sessions_completed", "threshold": 5}
