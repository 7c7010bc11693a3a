"""Building a record over the API, one call per step, as an integration would."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def create_program(api, name="Spring cohort", kind="one_on_one"):
    response = api.post("/programs", {"name": name, "kind": kind})
    assert response.status_code == 201, response.content
    return response.json()


def add_participant(api, program_id, name, role="mentee", email=None):
    email = email or f"{name.lower().replace(' ', '.')}@example.org"
    response = api.post(
        f"/programs/{program_id}/participants", {"email": email, "name": name, "role": role}
    )
    assert response.status_code == 201, response.content
    return response.json()


def pair(api, program_id, a, b):
    response = api.post(f"/programs/{program_id}/pairings", {"participant_ids": [a["id"], b["id"]]})
    assert response.status_code == 201, response.content
    return response.json()


def past_session(api, pairing_id, days_ago=7, status="completed"):
    starts_at = (timezone.now() - timedelta(days=days_ago)).isoformat()
    response = api.post(
        f"/pairings/{pairing_id}/sessions",
        {"starts_at": starts_at, "duration_minutes": 60, "status": status},
    )
    assert response.status_code == 201, response.content
    return response.json()


def feedback(api, session_id, participant, rating=4):
    response = api.post(
        f"/sessions/{session_id}/feedback", {"participant_id": participant["id"], "rating": rating}
    )
    assert response.status_code == 201, response.content
    return response.json()


def counted_sessions(api, pairing, author, count):
    for i in range(count):
        session = past_session(api, pairing["id"], days_ago=30 - i)
        feedback(api, session["id"], author)


def create_certificate(api, program_id, threshold=3, name="Mentorship Certificate"):
    rule = (
        {"type": "manual", "guidance": "Present your project."}
        if threshold is None
        else {"type": "sessions_completed", "threshold": threshold}
    )
    response = api.post(
        f"/programs/{program_id}/certificates",
        {
            "name": name,
            "text": "Awarded to {recipient_name} in {program_name}.",
            "colour": "#1F6FEB",
            "rule": rule,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()
