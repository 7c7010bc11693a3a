"""While another connection holds the database's write lock, reads are answered and writes
are refused with 503 and Retry-After, never with a 500."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from laurel.accounts.models import RateLimit
from laurel.api.services import api_token_create
from laurel.api.tests.conftest import ApiClient, problem
from laurel.programs.factories import make_organisation, make_program
from laurel.programs.models import Program

LOCK_TIMEOUT = 0.5
# Tables the writes below need; on PostgreSQL there is no single write lock to take.
POSTGRES_TABLES = ["programs_program", "api_apitoken", "accounts_ratelimit"]


@pytest.fixture
def short_lock_timeout():
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = dict(options)
    if connection.vendor == "sqlite":
        options["timeout"] = LOCK_TIMEOUT
    else:
        options["options"] = f"-c lock_timeout={int(LOCK_TIMEOUT * 1000)}"
    connection.close()
    yield
    options.clear()
    options.update(saved)
    connection.close()


@contextmanager
def write_lock_held_elsewhere():
    """Another connection takes the write lock and keeps it until the block ends."""
    other: Any
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        params = connection.get_connection_params()
        other = psycopg.connect(**params)
        for table in POSTGRES_TABLES:
            other.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


@pytest.mark.django_db(transaction=True)
def test_reads_are_answered_and_writes_refused_with_503_while_locked(short_lock_timeout, client):
    organisation = make_organisation()
    program = make_program(organisation)
    new_token = api_token_create(organisation=organisation)
    api = ApiClient(new_token.raw)

    with write_lock_held_elsewhere():
        started = time.monotonic()
        listed = api.get("/programs")
        assert listed.status_code == 200, listed.content
        assert [p["id"] for p in listed.json()["items"]] == [str(program.pk)]
        assert api.get(f"/programs/{program.pk}").status_code == 200
        # Reads do not wait for the lock: their bookkeeping is skipped instead.
        assert time.monotonic() - started < LOCK_TIMEOUT * 2

        for response in (
            api.post("/programs", {"name": "New", "kind": "group"}),
            api.post("/programs", {"name": "New", "kind": "group"}, HTTP_IDEMPOTENCY_KEY="k"),
        ):
            body = problem(response, 503)
            assert response["Retry-After"] == "5"
            assert "try again" in body["detail"]

        page = client.post("/accounts/login/", {"username": "zoe@example.org", "password": "wrong"})
        assert page.status_code == 503
        assert page["Retry-After"] == "5"
        assert page["Content-Type"].startswith("text/plain")

    new_token.token.refresh_from_db()
    assert new_token.token.last_used_at is None
    assert not Program.objects.filter(name="New").exists()
    assert not RateLimit.objects.filter(scope="sign-in-account").exists()

    # Once the lock is released everything works again, and the token's use is noted.
    created = api.post("/programs", {"name": "New", "kind": "group"})
    assert created.status_code == 201, created.content
    new_token.token.refresh_from_db()
    assert new_token.token.last_used_at is not None
