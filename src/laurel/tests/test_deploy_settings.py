"""Starting Laurel with production settings, in a fresh process with a clean environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MANAGE = Path(__file__).resolve().parents[3] / "manage.py"
PROPER_KEY = "Zq3v8XkP1mN7bR4tY6wC2eH9jL5sD0fG-aU8iO3pK7xV1nM4bQ6rT9yE2wS5dF"
CREDENTIAL_KEY = "q4rmJqZ0sYgqm2m3Vg9oHqC3xL5vT7wN1bD8eF2hK6M="


def manage(*arguments: str, tmp_path: Path, **environment: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": "/usr/bin:/bin",
        "LAUREL_VAR_DIR": str(tmp_path),
        "LAUREL_CREDENTIAL_KEY": CREDENTIAL_KEY,
        **environment,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(MANAGE), *arguments],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", "--deploy", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("x", "SECRET_KEY has 1 characters; it needs at least 50"),
        ("k" * 49, "SECRET_KEY has 49 characters; it needs at least 50"),
        ("ab" * 30, "SECRET_KEY is not random enough"),
        (
            "laurel-development-only-secret-key-not-for-production-use-0123456789",
            "SECRET_KEY is the development key",
        ),
    ],
)
def test_it_refuses_a_weak_secret_key_with_debug_off(tmp_path, key, message):
    result = manage("check", tmp_path=tmp_path, SECRET_KEY=key, LAUREL_DEBUG="0")
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_passes_with_a_proper_key_and_production_settings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        SECRET_KEY=PROPER_KEY,
        ALLOWED_HOSTS="laurel.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'laurel.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_debug_on_runs_on_the_development_key(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        tmp_path=tmp_path,
        LAUREL_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def test_forwarded_proto_is_trusted_only_when_configured(tmp_path):
    show = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    untrusted = manage("shell", "-c", show, tmp_path=tmp_path, SECRET_KEY=PROPER_KEY)
    trusted = manage(
        "shell",
        "-c",
        show,
        tmp_path=tmp_path,
        SECRET_KEY=PROPER_KEY,
        LAUREL_TRUST_X_FORWARDED_PROTO="1",
    )
    assert untrusted.stdout.strip().endswith("None"), untrusted.stderr
    assert trusted.stdout.strip().endswith("('HTTP_X_FORWARDED_PROTO', 'https')"), trusted.stderr
