"""Every page carries a strict Content-Security-Policy and loads only Laurel's own files."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from laurel.accounts.models import User


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.fixture
def staff(db):
    return User.objects.create_user(
        email="admin@example.org", name="Admin", password="a-long-passphrase", is_staff=True
    )


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/v1/docs"])
def test_pages_carry_a_strict_policy(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_signed_in_pages_carry_it_too(client, staff):
    client.force_login(staff)
    for path in ("/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 200
        assert policy(response)["script-src"] == ["'self'"]


def test_the_api_docs_load_swagger_ui_from_our_own_static_files(db):
    html = Client().get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in sources
    assert "/static/swagger-ui/swagger-ui.css" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "<script>" not in html  # no inline script: the settings are a JSON data block
    assert '"url": "/api/v1/openapi.json"' in html
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        assert finders.find(f"swagger-ui/{name}"), name


def test_the_vendored_swagger_ui_is_served(db):
    response = Client().get("/static/swagger-ui/swagger-ui-bundle.js")
    assert response.status_code == 200
    assert b"SwaggerUIBundle" in response.getvalue()
