"""The mentorship record over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from laurel.api.tests.conftest import problem
from laurel.api.tests.helpers import add_participant, create_program, feedback, pair, past_session
from laurel.programs.models import Feedback, Participant, Program, Session


def test_it_creates_lists_and_reads_programs(api):
    created = create_program(api, "Spring cohort", "one_on_one")
    assert created == {"id": created["id"], "name": "Spring cohort", "kind": "one_on_one"}
    assert api.get(f"/programs/{created['id']}").json() == created
    assert api.get("/programs").json() == {"items": [created], "next_cursor": None}


def test_it_pages_through_programs_with_a_cursor(api):
    ids = [create_program(api, f"Program {i}")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"/programs{query}").json()
        assert len(page["items"]) <= 2
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids


def test_it_rejects_a_bad_cursor_and_limit(api):
    body = problem(api.get("/programs?cursor=not-a-cursor"), 422)
    assert "cursor" in body["errors"]
    assert "limit" in problem(api.get("/programs?limit=501"), 422)["errors"]
    assert "limit" in problem(api.get("/programs?limit=0"), 422)["errors"]


def test_it_explains_invalid_program_fields(api):
    body = problem(api.post("/programs", {"name": "", "kind": "seminar"}), 422)
    assert set(body["errors"]) == {"kind"}
    body = problem(api.post("/programs", {"name": "  ", "kind": "group"}), 422)
    assert body["errors"] == {"name": ["Program name is required."]}
    body = problem(api.post("/programs", {"kind": "group"}), 422)
    assert body["errors"] == {"name": ["This field is required."]}


def test_every_string_has_a_maximum_length(api):
    body = problem(api.post("/programs", {"name": "x" * 201, "kind": "group"}), 422)
    assert "200" in body["errors"]["name"][0]
    program = create_program(api)
    body = problem(
        api.post(
            f"/programs/{program['id']}/participants",
            {"email": "a" * 250 + "@example.org", "name": "A", "role": "mentee"},
        ),
        422,
    )
    assert "email" in body["errors"]


def test_it_adds_and_lists_participants(api):
    program = create_program(api)
    ada = add_participant(api, program["id"], "Ada Lovelace", "mentee", "Ada@Example.org")
    assert ada == {
        "id": ada["id"],
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "role": "mentee",
    }
    as_mentor = add_participant(api, program["id"], "Ada Lovelace", "mentor", "ada@example.org")
    assert as_mentor["id"] != ada["id"]
    listed = api.get(f"/programs/{program['id']}/participants").json()
    assert [p["id"] for p in listed["items"]] == [ada["id"], as_mentor["id"]]


def test_adding_someone_twice_in_the_same_role_is_a_conflict(api):
    program = create_program(api)
    add_participant(api, program["id"], "Ada Lovelace")
    response = api.post(
        f"/programs/{program['id']}/participants",
        {"email": "ada.lovelace@example.org", "name": "Ada Lovelace", "role": "mentee"},
    )
    assert "already" in problem(response, 409)["detail"]


def test_it_pairs_two_participants(api):
    program = create_program(api)
    a = add_participant(api, program["id"], "Grace Hopper", "mentor")
    b = add_participant(api, program["id"], "Ada Lovelace")
    pairing = pair(api, program["id"], a, b)
    assert pairing["participant_ids"] == [a["id"], b["id"]]


def test_a_pairing_needs_two_participants_of_the_program(api):
    program = create_program(api)
    other = create_program(api, "Other")
    a = add_participant(api, program["id"], "Grace Hopper", "mentor")
    stranger = add_participant(api, other["id"], "Alan Turing")
    path = f"/programs/{program['id']}/pairings"
    body = problem(api.post(path, {"participant_ids": [a["id"]]}), 422)
    assert "participant_ids" in body["errors"]
    body = problem(api.post(path, {"participant_ids": [a["id"], stranger["id"]]}), 422)
    assert stranger["id"] in body["errors"]["participant_ids"][0]
    body = problem(api.post(path, {"participant_ids": ["x1", a["id"]]}), 422)
    assert "participant_ids.0" in body["errors"]


def test_ids_may_be_sent_as_numbers(api):
    program = create_program(api)
    a = add_participant(api, program["id"], "Grace Hopper", "mentor")
    b = add_participant(api, program["id"], "Ada Lovelace")
    response = api.post(
        f"/programs/{program['id']}/pairings", {"participant_ids": [int(a["id"]), int(b["id"])]}
    )
    assert response.status_code == 201
    assert response.json()["participant_ids"] == [a["id"], b["id"]]


def make_pairing(api):
    program = create_program(api)
    mentor = add_participant(api, program["id"], "Grace Hopper", "mentor")
    mentee = add_participant(api, program["id"], "Ada Lovelace")
    return program, mentor, mentee, pair(api, program["id"], mentor, mentee)


def test_it_books_and_records_sessions(api):
    _, _, _, pairing = make_pairing(api)
    starts_at = timezone.now() + timedelta(days=3)
    response = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": starts_at.isoformat(), "duration_minutes": 45},
    )
    assert response.status_code == 201
    session = response.json()
    assert session["status"] == "scheduled"
    assert session["pairing_id"] == pairing["id"]
    past = past_session(api, pairing["id"], status="completed")
    assert past["status"] == "completed"


def test_a_session_start_needs_a_time_zone(api):
    _, _, _, pairing = make_pairing(api)
    response = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": "2026-03-01T10:00:00", "duration_minutes": 45},
    )
    assert "starts_at" in problem(response, 422)["errors"]


def test_a_future_session_cannot_be_recorded_as_completed(api):
    _, _, _, pairing = make_pairing(api)
    starts_at = (timezone.now() + timedelta(days=1)).isoformat()
    response = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": starts_at, "duration_minutes": 45, "status": "completed"},
    )
    assert "status" in problem(response, 422)["errors"]


def test_completing_a_session_that_has_not_started_is_a_422(api):
    _, _, _, pairing = make_pairing(api)
    starts_at = (timezone.now() + timedelta(days=1)).isoformat()
    session = api.post(
        f"/pairings/{pairing['id']}/sessions", {"starts_at": starts_at, "duration_minutes": 45}
    ).json()
    problem(api.post(f"/sessions/{session['id']}/complete"), 422)
    assert Session.objects.get(pk=session["id"]).status == "scheduled"


def test_completion_is_final(api):
    _, _, _, pairing = make_pairing(api)
    session = past_session(api, pairing["id"], days_ago=0.01, status="scheduled")
    completed = api.post(f"/sessions/{session['id']}/complete")
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    assert "final" in problem(api.post(f"/sessions/{session['id']}/cancel"), 409)["detail"]


def test_it_cancels_a_booked_session(api):
    _, _, _, pairing = make_pairing(api)
    starts_at = (timezone.now() + timedelta(days=1)).isoformat()
    session = api.post(
        f"/pairings/{pairing['id']}/sessions", {"starts_at": starts_at, "duration_minutes": 45}
    ).json()
    response = api.post(f"/sessions/{session['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_it_records_feedback_from_a_member(api):
    _, mentor, _, pairing = make_pairing(api)
    session = past_session(api, pairing["id"])
    response = api.post(
        f"/sessions/{session['id']}/feedback",
        {"participant_id": mentor["id"], "rating": 3, "comment": "Good talk"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["session_id"], body["participant_id"], body["rating"], body["comment"]) == (
        session["id"],
        mentor["id"],
        3,
        "Good talk",
    )


def test_feedback_from_someone_outside_the_pairing_is_a_422(api):
    program, _, _, pairing = make_pairing(api)
    outsider = add_participant(api, program["id"], "Alan Turing")
    session = past_session(api, pairing["id"])
    response = api.post(
        f"/sessions/{session['id']}/feedback", {"participant_id": outsider["id"], "rating": 3}
    )
    assert "participant_id" in problem(response, 422)["errors"]
    assert not Feedback.objects.exists()


def test_a_second_feedback_by_the_same_member_is_a_409(api):
    _, _, mentee, pairing = make_pairing(api)
    session = past_session(api, pairing["id"])
    feedback(api, session["id"], mentee)
    response = api.post(
        f"/sessions/{session['id']}/feedback", {"participant_id": mentee["id"], "rating": 2}
    )
    problem(response, 409)
    assert Feedback.objects.count() == 1


def test_a_rating_must_be_from_1_to_4(api):
    _, _, mentee, pairing = make_pairing(api)
    session = past_session(api, pairing["id"])
    response = api.post(
        f"/sessions/{session['id']}/feedback", {"participant_id": mentee["id"], "rating": 5}
    )
    assert "rating" in problem(response, 422)["errors"]


def test_another_organisations_objects_are_not_found(api, other_api):
    program, mentor, mentee, pairing = make_pairing(api)
    session = past_session(api, pairing["id"])
    assert problem(other_api.get(f"/programs/{program['id']}"), 404)
    problem(other_api.get(f"/programs/{program['id']}/participants"), 404)
    problem(
        other_api.post(
            f"/programs/{program['id']}/participants",
            {"email": "x@example.org", "name": "X", "role": "mentee"},
        ),
        404,
    )
    problem(
        other_api.post(
            f"/programs/{program['id']}/pairings",
            {"participant_ids": [mentor["id"], mentee["id"]]},
        ),
        404,
    )
    problem(
        other_api.post(
            f"/pairings/{pairing['id']}/sessions",
            {"starts_at": "2026-01-01T10:00:00Z", "duration_minutes": 30},
        ),
        404,
    )
    problem(other_api.post(f"/sessions/{session['id']}/complete"), 404)
    problem(other_api.post(f"/sessions/{session['id']}/cancel"), 404)
    problem(
        other_api.post(
            f"/sessions/{session['id']}/feedback", {"participant_id": mentee["id"], "rating": 4}
        ),
        404,
    )
    assert other_api.get("/programs").json()["items"] == []
    assert Participant.objects.count() == 2
    assert Program.objects.count() == 1


def test_unknown_and_malformed_ids_are_not_found(api):
    problem(api.get("/programs/999999"), 404)
    problem(api.get("/programs/abc"), 404)
    problem(api.get("/programs/99999999999999999999999"), 404)


def test_a_time_with_a_far_offset_is_stored_as_the_same_instant(api):
    # -16:20 is a valid ISO 8601 offset that PostgreSQL cannot hold as a time zone.
    _, _, _, pairing = make_pairing(api)
    response = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": "2030-10-01T15:43:16-16:20", "duration_minutes": 100},
    )
    assert response.status_code == 201, response.content
    session = Session.objects.get(pk=response.json()["id"])
    assert session.starts_at == datetime(2030, 10, 2, 8, 3, 16, tzinfo=UTC)
    assert session.ends_at == datetime(2030, 10, 2, 9, 43, 16, tzinfo=UTC)
