"""Laurel stays up while something holds SQLite's write lock for half a minute.

The real thing runs here: ``manage.py serve`` (gunicorn and the worker) on an SQLite file
of its own, while this test holds that file's write lock for 30 s and sends API reads and
writes. Afterwards the web server and the worker are the same processes, reads were
answered, and writes were answered or refused with 503 and Retry-After, never a 500.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import laurel

LOCK_SECONDS = 30
SOURCE = Path(laurel.__file__).resolve().parent.parent
MANAGE = SOURCE.parent / "manage.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> dict[int, str]:
    """Each child process of ``pid`` with its command line."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            found[int(child)] = command.decode(errors="replace")
    return found


def call(url: str, token: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(  # noqa: S310 - a local test server
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.fixture
def environment(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(SOURCE),
        "DJANGO_SETTINGS_MODULE": "laurel.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'laurel.sqlite3'}",
        "LAUREL_VAR_DIR": str(tmp_path),
        "LAUREL_DEBUG": "1",
        # Writes give up on the lock after 3 s, so that several are tried while it is held.
        "LAUREL_DATABASE_LOCK_TIMEOUT": "3",
    }
    env.pop("LAUREL_TEST_DATABASE", None)
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(MANAGE), "migrate", "-v", "0"], env=env, check=True, timeout=300
    )
    return env, tmp_path / "laurel.sqlite3"


def test_the_server_and_the_worker_stay_up_while_the_lock_is_held(environment):
    env, database = environment
    made = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(MANAGE), "shell", "-c",
         "from laurel.programs.services import organisation_create;"
         "from laurel.api.services import api_token_create;"
         "print(api_token_create(organisation=organisation_create(name='Acme')).raw)"],
        env=env, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    token = made.stdout.strip().splitlines()[-1]
    port = free_port()
    serve = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(MANAGE), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if call(f"{api}/programs", token)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        before = children_of(serve.pid)
        assert any(" worker" in command for command in before.values()), before

        answers: list[tuple[str, int, dict[str, str]]] = []
        lock = sqlite3.connect(database, isolation_level=None, timeout=30)
        lock.execute("BEGIN IMMEDIATE")
        held_until = time.monotonic() + LOCK_SECONDS
        try:
            while time.monotonic() < held_until:
                answers.append(("read", *call(f"{api}/programs", token)))
                answers.append(
                    ("write", *call(f"{api}/programs", token, {"name": "P", "kind": "group"}))
                )
        finally:
            lock.rollback()
            lock.close()
        answers.append(("write", *call(f"{api}/programs", token, {"name": "P", "kind": "group"})))

        reads = [status for kind, status, _ in answers if kind == "read"]
        writes = [(status, headers) for kind, status, headers in answers if kind == "write"]
        assert len(reads) >= 5
        assert set(reads) == {200}
        assert {status for status, _ in writes} <= {201, 503}
        assert writes[-1][0] == 201  # once the lock is gone, writes go through
        refused = [headers for status, headers in writes if status == 503]
        assert refused, "a write was answered while another connection held the lock"
        assert all(headers.get("Retry-After") for headers in refused)

        after = children_of(serve.pid)
        assert serve.poll() is None
        assert after == before  # the same web server and worker processes
    finally:
        serve.terminate()
        output = serve.communicate(timeout=60)[0].decode(errors="replace")
    assert "Traceback" not in output, output[-3000:]
