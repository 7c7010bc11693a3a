"""Every list endpoint costs the same number of queries for a short list or a long one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.certificates.factories import (
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
)
from laurel.certificates.services import certificate_award
from laurel.programs.models import Program


def program_of(organisation, people: int) -> tuple[Program, int]:
    program = make_program(organisation)
    participants = [make_participant(program) for _ in range(people)]
    for mentor, mentee in zip(participants[::2], participants[1::2], strict=False):
        make_pairing(program, mentor, mentee)
    definition = make_certificate(program, threshold=None, enabled=True)
    certificate_award(definition=definition, by=None, participant_ids=[p.pk for p in participants])
    return program, definition.pk


def queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["items"] if "items" in body else body["earned"]
    return len(captured)


@pytest.mark.parametrize(
    "path",
    [
        "/programs",
        "/programs/{program}/participants",
        "/programs/{program}/certificates",
        "/certificates/{certificate}/awards",
        "/certificates/{certificate}/progress",
        "/participants/{participant}/certificates",
    ],
)
def test_a_list_costs_the_same_queries_short_or_long(api, organisation, path):
    api.get("/programs")  # the token's first use of the minute records itself
    counts = []
    for people in (2, 30):
        program, certificate = program_of(organisation, people)
        participant = program.participants.order_by("pk")[0]
        counts.append(
            queries(
                api,
                path.format(
                    program=program.pk, certificate=certificate, participant=participant.pk
                ),
            )
        )
    assert counts[0] == counts[1], counts
    # 4 of them count the request against its organisation's rate limit.
    assert counts[1] <= 10 + 4
