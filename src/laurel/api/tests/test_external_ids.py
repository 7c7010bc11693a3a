"""``external_id`` on pairings and sessions: a retried sync never duplicates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from laurel.api.tests.conftest import ApiClient, problem
from laurel.api.tests.helpers import add_participant, create_program, pair
from laurel.imports.services import record_import
from laurel.programs.models import Pairing, Program, Session
from laurel.testing import at_once


def people(api):
    program = create_program(api)
    mentor = add_participant(api, program["id"], "Grace Hopper", "mentor")
    mentee = add_participant(api, program["id"], "Ada Lovelace")
    return program, mentor, mentee


def test_a_pairing_sent_again_with_its_external_id_is_answered_200_as_stored(api):
    program, mentor, mentee = people(api)
    other = add_participant(api, program["id"], "Alan Turing")
    path = f"/programs/{program['id']}/pairings"

    first = api.post(path, {"participant_ids": [mentor["id"], mentee["id"]], "external_id": "c-1"})
    again = api.post(path, {"participant_ids": [mentor["id"], mentee["id"]], "external_id": "c-1"})
    changed = api.post(path, {"participant_ids": [mentor["id"], other["id"]], "external_id": "c-1"})

    assert first.status_code == 201
    assert first.json() == {
        "id": first.json()["id"],
        "participant_ids": [mentor["id"], mentee["id"]],
        "external_id": "c-1",
    }
    assert (again.status_code, again.json()) == (200, first.json())
    assert (changed.status_code, changed.json()) == (200, first.json())
    assert Pairing.objects.count() == 1


def test_a_pairing_without_external_id_answers_null_and_refuses_a_duplicate(api):
    program, mentor, mentee = people(api)

    created = pair(api, program["id"], mentor, mentee)
    again = api.post(
        f"/programs/{program['id']}/pairings", {"participant_ids": [mentee["id"], mentor["id"]]}
    )

    assert created["external_id"] is None
    assert "already paired" in problem(again, 409)["detail"]


def test_pairing_external_ids_are_per_program(api):
    first, second = people(api), people(api)
    for program, mentor, mentee in (first, second):
        response = api.post(
            f"/programs/{program['id']}/pairings",
            {"participant_ids": [mentor["id"], mentee["id"]], "external_id": "same"},
        )
        assert response.status_code == 201


def test_a_session_sent_again_with_its_external_id_is_answered_200_as_stored(api):
    program, mentor, mentee = people(api)
    pairing = pair(api, program["id"], mentor, mentee)
    path = f"/pairings/{pairing['id']}/sessions"
    starts_at = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    body = {"starts_at": starts_at.isoformat(), "duration_minutes": 30, "external_id": "mtg-9"}

    first = api.post(path, body)
    Session.objects.filter(pk=first.json()["id"]).update(status="cancelled")
    # A retry long after: the session has been cancelled since, and a new booking at this
    # time might no longer be valid; the answer is the session as it is stored now.
    again = api.post(path, {**body, "duration_minutes": 90})

    assert first.status_code == 201
    assert first.json()["external_id"] == "mtg-9"
    assert again.status_code == 200
    assert again.json() == {**first.json(), "status": "cancelled"}
    assert Session.objects.count() == 1


def test_session_external_ids_are_per_pairing(api):
    program, mentor, mentee = people(api)
    other = add_participant(api, program["id"], "Alan Turing")
    pairings = [pair(api, program["id"], mentor, mentee), pair(api, program["id"], mentor, other)]
    starts_at = (timezone.now() - timedelta(days=1)).isoformat()
    for pairing in pairings:
        response = api.post(
            f"/pairings/{pairing['id']}/sessions",
            {
                "starts_at": starts_at,
                "duration_minutes": 30,
                "status": "completed",
                "external_id": "1",
            },
        )
        assert response.status_code == 201
    assert Session.objects.count() == 2


def test_a_session_without_external_id_answers_null(api):
    program, mentor, mentee = people(api)
    pairing = pair(api, program["id"], mentor, mentee)
    response = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": (timezone.now() + timedelta(days=1)).isoformat(), "duration_minutes": 30},
    )
    assert (response.status_code, response.json()["external_id"]) == (201, None)


@pytest.mark.parametrize(
    ("external_id", "field_message"),
    [
        ("", "External id is required."),
        ("x" * 101, "at most 100 characters"),
        (7, "Must be text (a JSON string)."),
    ],
)
def test_a_bad_external_id_is_a_422_on_its_field(api, external_id, field_message):
    program, mentor, mentee = people(api)
    response = api.post(
        f"/programs/{program['id']}/pairings",
        {"participant_ids": [mentor["id"], mentee["id"]], "external_id": external_id},
    )
    body = problem(response, 422)
    assert field_message in body["errors"]["external_id"][0]
    assert not Pairing.objects.exists()


def test_the_csv_import_and_the_api_share_external_ids(api):
    program, mentor, mentee = people(api)
    starts_at = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    record_import(
        program=Program.objects.get(pk=program["id"]),
        stream=(
            "pairing,mentor_email,mentor_name,mentee_email,mentee_name,session,starts_at,"
            "duration_minutes,status\n"
            f"p-1,grace.hopper@example.org,Grace Hopper,ada.lovelace@example.org,Ada Lovelace,"
            f"s-1,{starts_at.isoformat()},60,completed\n"
        ),
    )
    imported = Pairing.objects.get()

    pairing = api.post(
        f"/programs/{program['id']}/pairings",
        {"participant_ids": [mentor["id"], mentee["id"]], "external_id": "p-1"},
    )
    session = api.post(
        f"/pairings/{imported.pk}/sessions",
        {
            "starts_at": starts_at.isoformat(),
            "duration_minutes": 60,
            "status": "completed",
            "external_id": "s-1",
        },
    )

    assert (pairing.status_code, pairing.json()["id"]) == (200, str(imported.pk))
    assert (session.status_code, session.json()["status"]) == (200, "completed")
    assert Session.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_over_http_create_one_pairing(token):
    clients = [ApiClient(token.raw) for _ in range(3)]
    program, mentor, mentee = people(clients[0])
    path = f"/programs/{program['id']}/pairings"
    body = {"participant_ids": [mentor["id"], mentee["id"]], "external_id": "sync-1"}

    responses: list[Any] = at_once(
        *[lambda client=client: client.post(path, body) for client in clients]
    )

    assert sorted(r.status_code for r in responses) == [200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Pairing.objects.count() == 1
