"""Rate limits on API tokens: requests per organisation and wrong tokens per address."""

from __future__ import annotations

import pytest

from laurel.api.services import api_token_create
from laurel.api.tests.conftest import ApiClient, problem
from laurel.programs.models import Program


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr("laurel.accounts.services.time.time", lambda: now[0])
    return now


@pytest.fixture(autouse=True)
def limits(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "api-organisation": (10, 60),
        "api-bad-token": (5, 300),
    }


def test_an_organisation_is_limited_across_its_tokens(api, token, clock):
    second = ApiClient(api_token_create(organisation=token.token.organisation).raw)
    statuses = [(api if i % 2 else second).get("/programs").status_code for i in range(10)]
    assert statuses == [200] * 10
    response = second.get("/programs")
    body = problem(response, 429)
    assert "more than 10 requests in 60 seconds" in body["detail"]
    assert response["Retry-After"] == "60"
    clock[0] += 45
    assert api.get("/programs")["Retry-After"] == "15"
    # Writes are refused too, and nothing is written.
    problem(api.post("/programs", {"name": "P", "kind": "group"}), 429)
    problem(api.post("/programs", {"name": "P", "kind": "group"}, HTTP_IDEMPOTENCY_KEY="k1"), 429)
    assert not Program.objects.exists()
    clock[0] += 15
    assert api.get("/programs").status_code == 200


def test_another_organisation_is_not_held_up(api, other_api, clock):
    for _ in range(11):
        api.get("/programs")
    assert api.get("/programs").status_code == 429
    assert other_api.get("/programs").status_code == 200


def test_wrong_tokens_from_one_address_are_limited(api, clock):
    guesser = ApiClient("lrl_not-a-real-token")
    statuses = [guesser.get("/programs").status_code for _ in range(300)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    response = guesser.get("/programs")
    body = problem(response, 429)
    assert "wrong API token" in body["detail"]
    assert response["Retry-After"] == "300"
    # A valid token from the same address (an integration behind the same NAT) still works.
    assert api.get("/programs").status_code == 200
    # Another address is not affected.
    other = guesser.client.get("/api/v1/programs", REMOTE_ADDR="192.0.2.8")
    assert other.status_code == 401
    clock[0] += 300
    assert guesser.get("/programs").status_code == 401


def test_requests_without_a_token_are_plain_401s(db, clock):
    anonymous = ApiClient(None)
    assert {anonymous.get("/programs").status_code for _ in range(20)} == {401}
