"""Revoking, reinstating and correcting an award over HTTP (API.md, Awards)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.api.tests.conftest import problem
from laurel.certificates.factories import make_certificate, make_participant, make_program
from laurel.certificates.models import AuditEntry, IssuedCertificate
from laurel.certificates.services import certificate_award
from laurel.credentials.models import Credential
from laurel.credentials.services import credential_for


@pytest.fixture
def award(organisation):
    program = make_program(organisation, name="Leaders")
    definition = make_certificate(
        program, threshold=None, enabled=True, text="For {recipient_name} in {program_name}."
    )
    participant = make_participant(program, name="Ada Byron")
    result = certificate_award(definition=definition, by=None, participant_ids=[participant.pk])
    return IssuedCertificate.objects.get(pk=result.awarded[0])


def test_revoke_with_a_public_reason_then_reinstate(api, award, client):
    revoked = api.post(
        f"/awards/{award.pk}/revoke", {"reason": "Awarded by mistake", "public_reason": True}
    )
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revocation_reason_public"] is True
    assert "Awarded by mistake" in client.get(f"/c/{award.public_id}").content.decode()

    reinstated = api.post(f"/awards/{award.pk}/reinstate", {"reason": "It was right after all"})

    assert reinstated.status_code == 200, reinstated.content
    body = reinstated.json()
    assert (body["id"], body["status"], body["revocation_reason"], body["version"]) == (
        str(award.pk),
        "valid",
        "",
        1,
    )
    assert body["public_url"].endswith(f"/c/{award.public_id}")
    page = client.get(f"/c/{award.public_id}").content.decode()
    assert "Valid certificate" in page
    assert [e.action for e in AuditEntry.objects.filter(award=award).order_by("id")] == [
        "award.revoked",
        "award.reinstated",
    ]


def test_the_credential_is_valid_again_after_reinstating(api, award):
    credential_for(award)
    api.post(f"/awards/{award.pk}/revoke", {"reason": "Mistake"})
    assert Credential.objects.get(award=award).revoked is True
    api.post(f"/awards/{award.pk}/reinstate", {"reason": "Undo"})
    assert Credential.objects.get(award=award).revoked is False


def test_reinstating_a_valid_award_is_a_409_and_a_reason_is_required(api, award):
    assert (
        "only a revoked"
        in problem(api.post(f"/awards/{award.pk}/reinstate", {"reason": "Why"}), 409)["detail"]
    )
    api.post(f"/awards/{award.pk}/revoke", {"reason": "Mistake"})
    assert "reason" in problem(api.post(f"/awards/{award.pk}/reinstate", {}), 422)["errors"]
    assert (
        "reason"
        in problem(api.post(f"/awards/{award.pk}/reinstate", {"reason": ""}), 422)["errors"]
    )


def test_public_reason_must_be_a_flag(api, award):
    body = problem(
        api.post(f"/awards/{award.pk}/revoke", {"reason": "x", "public_reason": "yes"}), 422
    )
    assert "public_reason" in body["errors"]
    assert IssuedCertificate.objects.get(pk=award.pk).status == "valid"


def test_correct_answers_the_new_version_under_the_same_public_id(api, award, client):
    response = api.post(
        f"/awards/{award.pk}/correct", {"recipient_name": "Ada Lovelace", "reason": "Misspelt"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] != str(award.pk)
    assert (body["version"], body["recipient_name"], body["text"]) == (
        2,
        "Ada Lovelace",
        "For Ada Lovelace in Leaders.",
    )
    assert body["public_url"].endswith(f"/c/{award.public_id}")
    assert api.get(f"/awards/{award.pk}").json()["version"] == 1
    page = client.get(f"/c/{award.public_id}").content.decode()
    assert "Ada Lovelace" in page
    assert "Ada Byron" not in page
    entry = AuditEntry.objects.get(action="award.corrected")
    assert (entry.data["reason"], entry.data["from_version"], entry.data["previous_award_id"]) == (
        "Misspelt",
        1,
        award.pk,
    )


def test_correct_the_text_only(api, award):
    body = api.post(
        f"/awards/{award.pk}/correct",
        {"text": "With thanks to {recipient_name}.", "reason": "Wording"},
    ).json()
    assert (body["recipient_name"], body["text"], body["version"]) == (
        "Ada Byron",
        "With thanks to Ada Byron.",
        2,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "Nothing to change"}, "recipient_name"),
        ({"recipient_name": "Ada Lovelace"}, "reason"),
        ({"recipient_name": "Ada Lovelace", "reason": "x", "colour": "#000000"}, "colour"),
        ({"recipient_name": 5, "reason": "x"}, "recipient_name"),
        ({"text": "Hi {nickname}", "reason": "x"}, "text"),
        ({"recipient_name": "Ada Byron", "reason": "Same"}, "recipient_name"),
    ],
)
def test_correct_refuses_bad_input_field_by_field(api, award, body, field):
    answer = problem(api.post(f"/awards/{award.pk}/correct", body), 422)
    assert field in answer["errors"], answer
    assert IssuedCertificate.objects.filter(public_id=award.public_id).count() == 1


def test_correcting_a_superseded_version_or_a_revoked_one_is_a_409(api, award):
    new_id = api.post(
        f"/awards/{award.pk}/correct", {"recipient_name": "Ada Lovelace", "reason": "Name"}
    ).json()["id"]
    problem(api.post(f"/awards/{award.pk}/correct", {"recipient_name": "X", "reason": "x"}), 409)
    api.post(f"/awards/{new_id}/revoke", {"reason": "Mistake"})
    body = problem(
        api.post(f"/awards/{new_id}/correct", {"recipient_name": "X", "reason": "x"}), 409
    )
    assert "reinstate" in body["detail"]


def test_a_retried_correction_with_the_same_key_makes_one_version(api, award):
    body = {"recipient_name": "Ada Lovelace", "reason": "Misspelt"}
    first = api.post(f"/awards/{award.pk}/correct", body, **{"Idempotency-Key": "fix-1"})
    again = api.post(f"/awards/{award.pk}/correct", body, **{"Idempotency-Key": "fix-1"})
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert IssuedCertificate.objects.filter(public_id=award.public_id).count() == 2
    other = api.post(
        f"/awards/{award.pk}/reinstate", {"reason": "x"}, **{"Idempotency-Key": "fix-1"}
    )
    problem(other, 409)


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("revoke", {"reason": "Mistake", "public_reason": True}),
        ("correct", {"recipient_name": "Ada Lovelace", "reason": "Name"}),
    ],
)
def test_each_action_costs_a_bounded_number_of_queries(api, award, action, body):
    api.get("/programs")  # the token's first use of the minute records itself
    with CaptureQueriesContext(connection) as captured:
        response = api.post(f"/awards/{award.pk}/{action}", body)
    assert response.status_code == 200, response.content
    # 4 of them count the request against its organisation's rate limit.
    assert len(captured) <= 12 + 4, [q["sql"] for q in captured]


def test_reinstate_costs_a_bounded_number_of_queries(api, award):
    api.post(f"/awards/{award.pk}/revoke", {"reason": "Mistake"})
    with CaptureQueriesContext(connection) as captured:
        response = api.post(f"/awards/{award.pk}/reinstate", {"reason": "Undo"})
    assert response.status_code == 200, response.content
    assert len(captured) <= 10 + 4, [q["sql"] for q in captured]
