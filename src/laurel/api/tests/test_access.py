"""Tokens, problem responses, idempotency keys, the size limit, and the published schema."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from django.utils import timezone

from laurel.api.models import ApiToken, IdempotencyRecord
from laurel.api.services import (
    api_token_record_use,
    api_token_revoke,
    idempotency_records_prune,
)
from laurel.api.tests.conftest import ApiClient, problem
from laurel.api.tests.helpers import add_participant, create_program
from laurel.api.v1 import MAX_BODY_BYTES
from laurel.programs.models import Participant, Program


def test_it_answers_401_without_a_token(db):
    body = problem(ApiClient(None).get("/programs"), 401)
    assert "Bearer" in body["detail"]


def test_it_answers_401_with_a_bad_token(db):
    problem(ApiClient("lrl_not-a-real-token").get("/programs"), 401)
    problem(ApiClient("something-else").post("/programs", {"name": "P", "kind": "group"}), 401)
    assert not Program.objects.exists()


def test_a_revoked_token_stops_working(api, token):
    assert api.get("/programs").status_code == 200
    api_token_revoke(token=token.token)
    problem(api.get("/programs"), 401)


def test_a_token_records_when_it_was_last_used(api, token, django_capture_on_commit_callbacks):
    assert token.token.last_used_at is None
    with django_capture_on_commit_callbacks(execute=True):
        api.get("/programs")
    token.token.refresh_from_db()
    assert token.token.last_used_at is not None


def test_create_api_token_prints_a_token_once_and_stores_only_its_hash(organisation):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", org=organisation.slug, name="HR sync", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    stored = ApiToken.objects.get(name="HR sync")
    assert raw.startswith("lrl_")
    assert raw not in (stored.digest, stored.prefix)
    assert len(stored.digest) == 64
    assert ApiClient(raw).get("/programs").status_code == 200
    call_command("revoke_api_token", raw[:12], stdout=io.StringIO())
    assert ApiClient(raw).get("/programs").status_code == 401


def test_create_api_token_refuses_an_unknown_organisation(db):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("create_api_token", org="nope", stdout=io.StringIO())


def test_malformed_json_is_a_422_problem(api):
    body = problem(api.post_raw("/programs", "{not json"), 422)
    assert "body" in body["errors"]
    body = problem(api.post_raw("/programs", "[1, 2]"), 422)
    assert "body" in body["errors"]
    body = problem(api.post_raw("/programs", b"\xff\xfe"), 422)
    assert "body" in body["errors"]


def test_invalid_unicode_in_text_is_a_422(api):
    body = problem(api.post_raw("/programs", '{"name": "A\\ud800", "kind": "group"}'), 422)
    assert "name" in body["errors"]


def test_a_body_over_the_limit_is_refused(api):
    huge = '{"name": "' + "x" * MAX_BODY_BYTES + '", "kind": "group"}'
    problem(api.post_raw("/programs", huge), 413)
    assert not Program.objects.exists()


def test_the_same_idempotency_key_and_body_replays_the_first_answer(api):
    body = {"name": "Spring cohort", "kind": "one_on_one"}
    first = api.post("/programs", body, **{"Idempotency-Key": "abc-123"})
    again = api.post("/programs", body, **{"Idempotency-Key": "abc-123"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Program.objects.count() == 1


def test_a_replayed_error_is_the_same_error(api):
    program = create_program(api)
    add_participant(api, program["id"], "Ada Lovelace")
    body = {"email": "ada.lovelace@example.org", "name": "Ada", "role": "mentee"}
    path = f"/programs/{program['id']}/participants"
    first = api.post(path, body, **{"Idempotency-Key": "k"})
    again = api.post(path, body, **{"Idempotency-Key": "k"})
    assert first.status_code == again.status_code == 409
    assert first.content == again.content


def test_the_same_key_with_another_body_is_a_409(api):
    api.post("/programs", {"name": "A", "kind": "group"}, **{"Idempotency-Key": "k1"})
    response = api.post("/programs", {"name": "B", "kind": "group"}, **{"Idempotency-Key": "k1"})
    assert "different request" in problem(response, 409)["detail"]
    assert list(Program.objects.values_list("name", flat=True)) == ["A"]


def test_idempotency_keys_belong_to_one_organisation(api, other_api):
    body = {"name": "Same", "kind": "group"}
    assert api.post("/programs", body, **{"Idempotency-Key": "shared"}).status_code == 201
    assert other_api.post("/programs", body, **{"Idempotency-Key": "shared"}).status_code == 201
    assert Program.objects.count() == 2


def test_a_bad_idempotency_key_is_a_422(api):
    response = api.post(
        "/programs", {"name": "A", "kind": "group"}, **{"Idempotency-Key": "x" * 256}
    )
    assert "Idempotency-Key" in problem(response, 422)["errors"]
    assert not Program.objects.exists()


def test_json_key_order_and_spacing_do_not_make_a_different_body(api):
    api.post_raw("/programs", '{"name": "A", "kind": "group"}', **{"Idempotency-Key": "k2"})
    again = api.post_raw("/programs", '{"kind":"group","name":"A"}', **{"Idempotency-Key": "k2"})
    assert again.status_code == 201
    assert Program.objects.count() == 1


def test_old_idempotency_records_are_pruned(api):
    from datetime import timedelta

    from django.utils import timezone

    api.post("/programs", {"name": "A", "kind": "group"}, **{"Idempotency-Key": "old"})
    assert idempotency_records_prune(now=timezone.now() + timedelta(hours=25)) == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_participant(organisation, token):
    program = Program.objects.create(organisation=organisation, name="P", kind="one_on_one")
    body = {"email": "ada@example.org", "name": "Ada", "role": "mentee"}
    answers: list[int] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        try:
            barrier.wait()
            response = ApiClient(token.raw).post(
                f"/programs/{program.pk}/participants", body, **{"Idempotency-Key": "race"}
            )
            answers.append(response.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201] * 4
    assert Participant.objects.count() == 1


def test_the_openapi_document_describes_every_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    contract = {
        ("POST", "/programs"),
        ("GET", "/programs"),
        ("GET", "/programs/{program_id}"),
        ("POST", "/programs/{program_id}/participants"),
        ("GET", "/programs/{program_id}/participants"),
        ("POST", "/programs/{program_id}/pairings"),
        ("POST", "/pairings/{pairing_id}/sessions"),
        ("POST", "/sessions/{session_id}/complete"),
        ("POST", "/sessions/{session_id}/cancel"),
        ("POST", "/sessions/{session_id}/feedback"),
        ("POST", "/programs/{program_id}/certificates"),
        ("GET", "/programs/{program_id}/certificates"),
        ("GET", "/certificates/{certificate_id}"),
        ("PATCH", "/certificates/{certificate_id}"),
        ("POST", "/certificates/{certificate_id}/enable"),
        ("POST", "/certificates/{certificate_id}/disable"),
        ("GET", "/certificates/{certificate_id}/progress"),
        ("POST", "/certificates/{certificate_id}/awards"),
        ("GET", "/certificates/{certificate_id}/awards"),
        ("GET", "/awards/{award_id}"),
        ("POST", "/awards/{award_id}/revoke"),
        ("GET", "/participants/{participant_id}/certificates"),
    }
    assert contract <= paths
    enable = schema["paths"]["/api/v1/certificates/{certificate_id}/enable"]["post"]
    conflict = enable["responses"]["409"]["content"]["application/problem+json"]["schema"]
    assert conflict["$ref"].endswith("/ConfirmationProblem")


def test_the_docs_page_renders(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_prune_command_runs(db):
    out = io.StringIO()
    call_command("prune_idempotency_keys", stdout=out)
    assert "Deleted 0" in out.getvalue()


def test_a_tokens_last_use_is_written_at_most_once_a_minute(token):
    first = timezone.now()
    assert api_token_record_use(token=token.token, now=first)
    assert not api_token_record_use(token=token.token, now=first + timedelta(seconds=59))
    # Another process holding an older copy of the token does not write again either.
    stale = ApiToken.objects.get(pk=token.token.pk)
    stale.last_used_at = None
    assert not api_token_record_use(token=stale, now=first + timedelta(seconds=30))
    later = first + timedelta(seconds=61)
    assert api_token_record_use(token=token.token, now=later)
    token.token.refresh_from_db()
    assert token.token.last_used_at == later
