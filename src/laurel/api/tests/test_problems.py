"""Every error under /api/ is application/problem+json, whoever answers it."""

from __future__ import annotations

import pytest
from django.test import Client

from laurel.api.tests.conftest import problem


def test_an_unknown_path_is_a_404_problem(api):
    body = problem(api.get("/no-such-thing"), 404)
    assert "/api/v1/docs" in body["detail"]
    problem(Client().get("/api/v2/programs"), 404)


def test_a_method_a_path_does_not_take_is_a_405_problem(api):
    response = api.client.delete("/api/v1/programs")
    problem(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_host_that_is_not_allowed_is_a_400_problem(api):
    response = api.client.get("/api/v1/programs", headers={"Host": "evil.example"})
    problem(response, 400)


@pytest.mark.parametrize("debug", [False, True])
def test_a_crash_is_a_500_problem_in_debug_as_outside_it(api, monkeypatch, settings, debug):
    settings.DEBUG = debug

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("laurel.api.record.paginate", crash)
    api.client.raise_request_exception = False
    body = problem(api.get("/programs"), 500)
    assert "boom" not in body["detail"]


def test_pages_outside_the_api_keep_their_html_404(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
