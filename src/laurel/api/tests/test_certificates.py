"""Certificates, progress and awards over HTTP."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.api.tests.conftest import problem
from laurel.api.tests.helpers import (
    add_participant,
    counted_sessions,
    create_certificate,
    create_program,
    feedback,
    pair,
    past_session,
)
from laurel.certificates.models import AuditEntry, IssuedCertificate


def program_with_history(api):
    """Grace and Ada have 3 counting sessions; Alan and Katherine have 2."""
    program = create_program(api)
    grace = add_participant(api, program["id"], "Grace Hopper", "mentor")
    ada = add_participant(api, program["id"], "Ada Lovelace")
    counted_sessions(api, pair(api, program["id"], grace, ada), ada, 3)
    katherine = add_participant(api, program["id"], "Katherine Johnson", "mentor")
    alan = add_participant(api, program["id"], "Alan Turing")
    counted_sessions(api, pair(api, program["id"], katherine, alan), alan, 2)
    return program, {"grace": grace, "ada": ada, "katherine": katherine, "alan": alan}


def test_it_creates_a_disabled_certificate(api):
    program = create_program(api)
    created = create_certificate(api, program["id"], threshold=3)
    assert created == {
        "id": created["id"],
        "program_id": program["id"],
        "name": "Mentorship Certificate",
        "text": "Awarded to {recipient_name} in {program_name}.",
        "colour": "#1F6FEB",
        "enabled": False,
        "rule": {"type": "sessions_completed", "threshold": 3},
    }
    assert api.get(f"/certificates/{created['id']}").json() == created
    listed = api.get(f"/programs/{program['id']}/certificates").json()
    assert listed == {"items": [created], "next_cursor": None}


def test_a_manual_certificate_carries_its_guidance(api):
    program = create_program(api)
    created = create_certificate(api, program["id"], threshold=None)
    assert created["rule"] == {"type": "manual", "guidance": "Present your project."}


def test_certificate_input_is_checked(api):
    program = create_program(api)
    path = f"/programs/{program['id']}/certificates"
    base = {"name": "C", "text": "T", "colour": "#1F6FEB"}
    body = problem(api.post(path, {**base, "rule": {"type": "sessions_completed"}}), 422)
    assert "rule.threshold" in body["errors"]
    body = problem(
        api.post(path, {**base, "rule": {"type": "sessions_completed", "threshold": 0}}), 422
    )
    assert "rule.threshold" in body["errors"]
    body = problem(api.post(path, {**base, "colour": "blue", "rule": {"type": "manual"}}), 422)
    assert "colour" in body["errors"]
    body = problem(
        api.post(path, {**base, "text": "Hi {nickname}", "rule": {"type": "manual"}}), 422
    )
    assert "{nickname}" in body["errors"]["text"][0]


def test_group_programs_refuse_certificates_and_say_why(api):
    program = create_program(api, kind="group")
    response = api.post(
        f"/programs/{program['id']}/certificates",
        {"name": "C", "text": "T", "colour": "#1F6FEB", "rule": {"type": "manual"}},
    )
    assert "group programs" in problem(response, 422)["detail"]


def test_development_programs_accept_only_manual_rules(api):
    program = create_program(api, kind="development")
    base = {"name": "C", "text": "T", "colour": "#1F6FEB"}
    response = api.post(
        f"/programs/{program['id']}/certificates",
        {**base, "rule": {"type": "sessions_completed", "threshold": 3}},
    )
    assert "manual" in problem(response, 422)["detail"]
    ok = api.post(f"/programs/{program['id']}/certificates", {**base, "rule": {"type": "manual"}})
    assert ok.status_code == 201


def test_enable_flow_confirms_then_awards_exactly_those_listed(api):
    program, people = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    path = f"/certificates/{certificate['id']}/enable"

    asked = problem(api.post(path, {"confirm": False}), 409)

    expected = sorted(
        [
            {"id": people["ada"]["id"], "name": "Ada Lovelace"},
            {"id": people["grace"]["id"], "name": "Grace Hopper"},
        ],
        key=lambda p: p["name"],
    )
    assert asked["would_award"] == {"count": 2, "participants": expected}
    assert not IssuedCertificate.objects.exists()
    assert api.get(f"/certificates/{certificate['id']}").json()["enabled"] is False

    done = api.post(path, {"confirm": True})

    assert done.status_code == 200
    assert done.json() == {"certificate": {**certificate, "enabled": True}, "awarded": 2}
    awards = api.get(f"/certificates/{certificate['id']}/awards").json()["items"]
    assert sorted((a["participant_id"], a["recipient_name"]) for a in awards) == sorted(
        (p["id"], p["name"]) for p in expected
    )


def test_enable_without_a_body_is_a_422(api):
    program = create_program(api)
    certificate = create_certificate(api, program["id"])
    problem(api.post(f"/certificates/{certificate['id']}/enable"), 422)


def test_disable_keeps_earned_certificates_valid(api):
    program, _ = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    response = api.post(f"/certificates/{certificate['id']}/disable")
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert set(IssuedCertificate.objects.values_list("status", flat=True)) == {"valid"}


def test_a_rule_change_that_awards_needs_confirmation(api):
    program, _ = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    path = f"/certificates/{certificate['id']}"
    lower = {"rule": {"type": "sessions_completed", "threshold": 2}}

    asked = problem(api.patch(path, lower), 409)

    assert asked["would_award"]["count"] == 2
    assert {p["name"] for p in asked["would_award"]["participants"]} == {
        "Alan Turing",
        "Katherine Johnson",
    }
    assert api.get(path).json()["rule"]["threshold"] == 3
    done = api.patch(path, {**lower, "confirm": True})
    assert done.status_code == 200
    assert done.json()["awarded"] == 2
    assert done.json()["certificate"]["rule"] == lower["rule"]
    assert IssuedCertificate.objects.filter(status="valid").count() == 4


def test_a_text_edit_does_not_change_issued_certificates(api):
    program, _ = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    response = api.patch(
        f"/certificates/{certificate['id']}",
        {"name": "Renamed", "text": "New words", "colour": "#000000"},
    )
    assert response.status_code == 200
    assert response.json()["certificate"]["name"] == "Renamed"
    awards = api.get(f"/certificates/{certificate['id']}/awards").json()["items"]
    assert {(a["name"], a["colour"]) for a in awards} == {("Mentorship Certificate", "#1F6FEB")}
    assert all(a["text"].startswith("Awarded to ") for a in awards)


def test_progress_reports_each_person(api):
    program, people = program_with_history(api)
    ada_again = add_participant(
        api, program["id"], "Ada Lovelace", "mentor", "ada.lovelace@example.org"
    )
    waiting = past_session(
        api, pair(api, program["id"], ada_again, people["alan"])["id"], days_ago=2
    )
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})

    items = api.get(f"/certificates/{certificate['id']}/progress").json()["items"]

    by_name = {item["name"]: item for item in items}
    assert set(by_name) == {"Grace Hopper", "Ada Lovelace", "Katherine Johnson", "Alan Turing"}
    ada = by_name["Ada Lovelace"]
    assert ada["participant_id"] == people["ada"]["id"]
    assert ada["roles"] == ["mentee", "mentor"]
    assert (ada["sessions_completed"], ada["sessions_counting"]) == (4, 3)
    assert ada["sessions_missing_feedback"] == [waiting["id"]]
    assert ada["earned_award_id"] is not None
    alan = by_name["Alan Turing"]
    assert (alan["sessions_completed"], alan["sessions_counting"]) == (3, 2)
    assert alan["sessions_missing_feedback"] == [waiting["id"]]
    assert alan["earned_award_id"] is None
    feedback(api, waiting["id"], people["alan"])
    again = api.get(f"/certificates/{certificate['id']}/progress").json()["items"]
    assert all(item["sessions_missing_feedback"] == [] for item in again)
    assert {item["name"] for item in again if item["earned_award_id"]} == {
        "Grace Hopper",
        "Ada Lovelace",
        "Alan Turing",
    }


def progress_queries(api, pairs):
    program = create_program(api, name=f"P{pairs}")
    for i in range(pairs):
        mentor = add_participant(api, program["id"], f"Mentor {pairs}-{i}", "mentor")
        mentee = add_participant(api, program["id"], f"Mentee {pairs}-{i}")
        pairing = pair(api, program["id"], mentor, mentee)
        past_session(api, pairing["id"])
        counted_sessions(api, pairing, mentee, 1)
    certificate = create_certificate(api, program["id"], threshold=1)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    with CaptureQueriesContext(connection) as captured:
        page = api.get(f"/certificates/{certificate['id']}/progress?limit=500").json()
    assert len(page["items"]) == pairs * 2
    assert all(len(item["sessions_missing_feedback"]) == 1 for item in page["items"])
    return len(captured)


def test_progress_costs_the_same_queries_for_a_few_people_or_many(api):
    # 4 of them count the request against its organisation's rate limit.
    assert progress_queries(api, 2) == progress_queries(api, 25) <= 6 + 4


def test_progress_pages_with_a_cursor(api):
    program, _ = program_with_history(api)
    certificate = create_certificate(api, program["id"])
    first = api.get(f"/certificates/{certificate['id']}/progress?limit=3").json()
    assert len(first["items"]) == 3
    second = api.get(
        f"/certificates/{certificate['id']}/progress?limit=3&cursor={first['next_cursor']}"
    ).json()
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_manual_award_skips_people_who_hold_it(api):
    program, people = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=None)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    path = f"/certificates/{certificate['id']}/awards"
    first = api.post(path, {"participant_ids": [people["ada"]["id"]]})
    assert first.status_code == 200
    assert first.json()["skipped"] == []
    [award_id] = first.json()["awarded"]
    second = api.post(path, {"participant_ids": [people["ada"]["id"], people["alan"]["id"]]})
    assert second.json()["skipped"] == [people["ada"]["id"]]
    assert len(second.json()["awarded"]) == 1
    award = api.get(f"/awards/{award_id}").json()
    assert award["method"] == "manual"
    assert AuditEntry.objects.filter(action="certificate.awarded_manually").count() == 2


def test_manual_award_of_a_disabled_certificate_is_a_409(api):
    program, people = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=None)
    response = api.post(
        f"/certificates/{certificate['id']}/awards", {"participant_ids": [people["ada"]["id"]]}
    )
    problem(response, 409)


def test_manual_award_to_someone_outside_the_program_is_a_422(api):
    program, people = program_with_history(api)
    other = create_program(api, "Other")
    stranger = add_participant(api, other["id"], "Stranger Person")
    certificate = create_certificate(api, program["id"], threshold=None)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    response = api.post(
        f"/certificates/{certificate['id']}/awards",
        {"participant_ids": [people["ada"]["id"], stranger["id"]]},
    )
    assert "participant_ids" in problem(response, 422)["errors"]
    problem(api.post(f"/certificates/{certificate['id']}/awards", {"participant_ids": []}), 422)
    assert not IssuedCertificate.objects.exists()


def test_an_award_shows_its_frozen_copy_and_public_url(api, settings):
    settings.SITE_URL = "https://laurel.example"
    program, people = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    award = next(
        a
        for a in api.get(f"/certificates/{certificate['id']}/awards").json()["items"]
        if a["participant_id"] == people["ada"]["id"]
    )
    stored = IssuedCertificate.objects.get(pk=award["id"])
    assert award == {
        "id": award["id"],
        "certificate_id": certificate["id"],
        "participant_id": people["ada"]["id"],
        "recipient_name": "Ada Lovelace",
        "name": "Mentorship Certificate",
        "text": f"Awarded to Ada Lovelace in {program['name']}.",
        "colour": "#1F6FEB",
        "issued_at": award["issued_at"],
        "method": "automatic",
        "status": "valid",
        "revocation_reason": "",
        "revocation_reason_public": False,
        "version": 1,
        "public_url": f"https://laurel.example/c/{stored.public_id}",
    }


def test_revoking_needs_a_reason(api):
    program, _ = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    award = api.get(f"/certificates/{certificate['id']}/awards").json()["items"][0]
    path = f"/awards/{award['id']}/revoke"
    assert "reason" in problem(api.post(path, {"reason": "  "}), 422)["errors"]
    assert "reason" in problem(api.post(path, {}), 422)["errors"]
    revoked = api.post(path, {"reason": "Awarded by mistake"})
    assert revoked.status_code == 200
    assert (revoked.json()["status"], revoked.json()["revocation_reason"]) == (
        "revoked",
        "Awarded by mistake",
    )
    assert "already" in problem(api.post(path, {"reason": "Again"}), 409)["detail"]


def test_a_participant_sees_earned_and_unearned_certificates(api):
    program, people = program_with_history(api)
    earned = create_certificate(api, program["id"], threshold=3, name="Three")
    later = create_certificate(api, program["id"], threshold=10, name="Ten")
    create_certificate(api, program["id"], threshold=20, name="Disabled")
    for certificate in (earned, later):
        api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})

    body = api.get(f"/participants/{people['ada']['id']}/certificates").json()

    assert [a["certificate_id"] for a in body["earned"]] == [earned["id"]]
    assert body["unearned"] == [
        {
            "certificate_id": later["id"],
            "name": "Ten",
            "guidance": "",
            "sessions_counting": 3,
            "threshold": 10,
        }
    ]


def test_another_organisations_certificates_and_awards_are_not_found(api, other_api):
    program, people = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    award = api.get(f"/certificates/{certificate['id']}/awards").json()["items"][0]
    cid = certificate["id"]
    problem(other_api.get(f"/certificates/{cid}"), 404)
    problem(other_api.get(f"/programs/{program['id']}/certificates"), 404)
    problem(
        other_api.post(
            f"/programs/{program['id']}/certificates",
            {"name": "C", "text": "T", "colour": "#1F6FEB", "rule": {"type": "manual"}},
        ),
        404,
    )
    problem(other_api.patch(f"/certificates/{cid}", {"name": "Mine"}), 404)
    problem(other_api.post(f"/certificates/{cid}/enable", {"confirm": True}), 404)
    problem(other_api.post(f"/certificates/{cid}/disable"), 404)
    problem(other_api.get(f"/certificates/{cid}/progress"), 404)
    problem(other_api.get(f"/certificates/{cid}/awards"), 404)
    problem(
        other_api.post(f"/certificates/{cid}/awards", {"participant_ids": [people["ada"]["id"]]}),
        404,
    )
    problem(other_api.get(f"/awards/{award['id']}"), 404)
    problem(other_api.post(f"/awards/{award['id']}/revoke", {"reason": "x"}), 404)
    problem(other_api.post(f"/awards/{award['id']}/reinstate", {"reason": "x"}), 404)
    problem(
        other_api.post(f"/awards/{award['id']}/correct", {"recipient_name": "Me", "reason": "x"}),
        404,
    )
    problem(other_api.get(f"/participants/{people['ada']['id']}/certificates"), 404)
    assert api.get(f"/certificates/{cid}").json()["enabled"] is True
    assert IssuedCertificate.objects.filter(status="valid").count() == 2


def test_changes_made_through_the_api_are_audited_with_the_token(api, token):
    program, _ = program_with_history(api)
    certificate = create_certificate(api, program["id"], threshold=3)
    api.post(f"/certificates/{certificate['id']}/enable", {"confirm": True})
    award_id = api.get(f"/certificates/{certificate['id']}/awards").json()["items"][0]["id"]
    api.post(f"/awards/{award_id}/revoke", {"reason": "Recorded by mistake"})

    entries = AuditEntry.objects.order_by("id")
    assert [entry.action for entry in entries] == [
        "certificate.created",
        "certificate.enabled",
        "award.revoked",
    ]
    assert {entry.via for entry in entries} == {f"API token {token.token.prefix}… (tests)"}
