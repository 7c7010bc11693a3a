"""Starting with debug off needs the key that seals the signing keys."""

from __future__ import annotations

import pytest

from laurel.tests.test_deploy_settings import PROPER_KEY, manage


def test_it_refuses_to_start_without_the_credential_key(tmp_path):
    result = manage(
        "check",
        tmp_path=tmp_path,
        SECRET_KEY=PROPER_KEY,
        LAUREL_DEBUG="0",
        LAUREL_CREDENTIAL_KEY="",
    )

    assert result.returncode != 0
    assert "LAUREL_CREDENTIAL_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("key", ["not-a-key", "c2hvcnQ=", "é"])
def test_it_refuses_a_credential_key_that_is_not_a_fernet_key(tmp_path, key):
    result = manage(
        "check",
        tmp_path=tmp_path,
        SECRET_KEY=PROPER_KEY,
        LAUREL_DEBUG="0",
        LAUREL_CREDENTIAL_KEY=key,
    )

    assert result.returncode != 0
    assert "must be one or more Fernet keys" in result.stderr


def test_debug_on_signs_with_the_development_key(tmp_path):
    show = "from django.conf import settings; print(len(settings.CREDENTIAL_KEYS))"
    result = manage(
        "shell", "-c", show, tmp_path=tmp_path, LAUREL_DEBUG="1", LAUREL_CREDENTIAL_KEY=""
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("1")
