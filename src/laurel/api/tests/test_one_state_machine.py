"""The API and the CSV import write sessions through the one state machine: a rule changed
there is enforced by both, with nothing changed in either."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from laurel.api.tests.conftest import problem
from laurel.api.tests.helpers import add_participant, create_program, pair
from laurel.imports.parsing import ImportRefused
from laurel.imports.services import record_import
from laurel.programs import lifecycle
from laurel.programs.models import Program, Session

SHORT = "A session shorter than 30 minutes cannot be completed."


@pytest.fixture
def completing_needs_half_an_hour(monkeypatch):
    """A new rule, written in the state machine alone."""
    key = (Session.Status.SCHEDULED, lifecycle.Action.COMPLETE)
    before = lifecycle.RULES[key]

    def rule(times, now):
        if times.ends_at - times.starts_at < timedelta(minutes=30):
            return lifecycle.Refusal("too_short", SHORT)
        return before(times, now)

    monkeypatch.setitem(lifecycle.RULES, key, rule)


def csv_row(session: str, starts_at: str, minutes: int, status: str) -> str:
    return (
        "pairing,mentor_email,mentor_name,mentee_email,mentee_name,session,starts_at,"
        "duration_minutes,status,mentor_rating,mentor_comment,mentee_rating,mentee_comment\n"
        f"p1,grace@example.org,Grace,ada@example.org,Ada,{session},{starts_at},{minutes},{status},,,,\n"
    )


def test_a_new_rule_binds_the_api_and_the_import(api, completing_needs_half_an_hour):
    program = create_program(api)
    grace = add_participant(api, program["id"], "Grace", role="mentor")
    ada = add_participant(api, program["id"], "Ada")
    pairing = pair(api, program["id"], grace, ada)
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()

    # The API: recording a short session as completed, and completing a booked one.
    recorded = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": yesterday, "duration_minutes": 20, "status": "completed"},
    )
    assert problem(recorded, 422)["errors"] == {"status": [SHORT]}
    soon = (timezone.now() + timedelta(minutes=5)).isoformat()
    booked = api.post(
        f"/pairings/{pairing['id']}/sessions", {"starts_at": soon, "duration_minutes": 20}
    ).json()
    completed = api.post(f"/sessions/{booked['id']}/complete")
    assert problem(completed, 422)["errors"]["status"] in (
        [SHORT],
        ["This session has not started yet; complete it once it has."],
    )
    long_enough = api.post(
        f"/pairings/{pairing['id']}/sessions",
        {"starts_at": yesterday, "duration_minutes": 45, "status": "completed"},
    )
    assert long_enough.status_code == 201

    # The CSV import: the same rule, for a new session and for one imported before.
    program_row = Program.objects.get(pk=program["id"])
    with pytest.raises(ImportRefused) as refused:
        record_import(program=program_row, stream=csv_row("s1", yesterday, 20, "completed"))
    assert [(p.line, p.column, p.message) for p in refused.value.problems] == [(2, "status", SHORT)]
    last_week = (timezone.now() - timedelta(days=7)).isoformat()
    next_week = (timezone.now() + timedelta(days=7)).isoformat()
    record_import(program=program_row, stream=csv_row("s2", next_week, 20, "scheduled"))
    Session.objects.filter(external_id="s2").update(
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7) + timedelta(minutes=20),
    )
    with pytest.raises(ImportRefused) as refused:
        record_import(program=program_row, stream=csv_row("s2", last_week, 20, "completed"))
    assert [(p.column, p.message.endswith(SHORT)) for p in refused.value.problems] == [
        ("status", True)
    ]
    assert not Session.objects.filter(status="completed", duration_minutes=20).exists()
