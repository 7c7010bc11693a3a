"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid; none may answer with a 5xx,
an undocumented status, another content type, or a body that breaks its own schema.
Half of the generated ids are swapped for ids of real objects, so that the requests
reach the services and not only the 404 path.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from laurel.api.services import api_token_create
from laurel.badges.services import BadgeRule, badge_create, badge_enable
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


@pytest.fixture
def keep_connection_open():
    # As Django's own test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def existing(db, keep_connection_open):
    """A small record, and a token of its organisation."""
    organisation = make_organisation()
    program = make_program(organisation)
    mentor = make_participant(program, role="mentor")
    mentee = make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    session = make_session(pairing)
    give_feedback(session, mentee)
    certificate = make_certificate(program, threshold=1, enabled=True)
    award = certificate.issued.first()
    badge = badge_create(
        organisation=organisation,
        by=None,
        name="First session",
        description="",
        colour="",
        rule=BadgeRule(type="sessions_as_role", role="mentee", threshold=1),
    )
    badge_enable(badge=badge, by=None, confirm=True)
    badge_award = badge.issued.first()
    ids = {
        "program_id": program.pk,
        "participant_id": mentee.pk,
        "pairing_id": pairing.pk,
        "session_id": make_session(pairing).pk,
        "certificate_id": certificate.pk,
        "award_id": award.pk if award else 1,
        "badge_id": badge.pk,
        "badge_award_id": badge_award.pk if badge_award else 1,
    }
    return {"token": api_token_create(organisation=organisation).raw, "ids": ids}


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_answers_every_generated_request_within_its_schema(case, existing):
    for name, value in list((case.path_parameters or {}).items()):
        if name in existing["ids"] and len(str(value)) % 2 == 0:
            case.path_parameters[name] = str(existing["ids"][name])
    case.call_and_validate(headers={"Authorization": f"Bearer {existing['token']}"}, checks=CHECKS)
