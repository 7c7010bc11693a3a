from __future__ import annotations

import json

import pytest
from django.test import Client

from laurel.api.services import api_token_create
from laurel.certificates.factories import make_organisation


class ApiClient:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, raw_token: str | None) -> None:
        headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}
        self.client = Client(headers=headers)

    def get(self, path, **headers):
        return self.client.get(f"/api/v1{path}", headers=headers)

    def post(self, path, body=None, **headers):
        data = "" if body is None else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=headers
        )

    def post_raw(self, path, data, **headers):
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=headers
        )

    def patch(self, path, body, **headers):
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
        )


@pytest.fixture
def organisation(db):
    return make_organisation("Acme Mentoring")


@pytest.fixture
def token(organisation):
    return api_token_create(organisation=organisation, name="tests")


@pytest.fixture
def api(token):
    return ApiClient(token.raw)


@pytest.fixture
def other_api(db):
    other = make_organisation("Other Org")
    return ApiClient(api_token_create(organisation=other).raw)


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body
