"""The test suite's environment, set before pytest-django reads the settings.

pyproject.toml loads this module with ``-p laurel.pytest_plugin``, early enough that the
settings module sees these variables. Tests run with debug off, as in production, but on
plain HTTP (the test client's) and with static files found in the source tree (nothing is
collected before a test run).
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault(
    "SECRET_KEY", "laurel-test-suite-only-9c1f4e7a2b8d5f0e3a6c9b2d7e4f1a8c5b0d3e6f"
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LAUREL_CREDENTIAL_KEY", "bGF1cmVsLXRlc3Qtc3VpdGUtY3JlZGVudGlhbC1rZXk=")
# Tests run their own webhook receivers on this machine; the tests of the refusal switch
# it off themselves.
os.environ.setdefault("LAUREL_WEBHOOKS_ALLOW_INTERNAL_ADDRESSES", "1")
# Tests send hundreds of emails at once; the tests of the per-organisation rate set it.
os.environ.setdefault("LAUREL_OUTBOX_ORGANISATION_RATE", "0")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # Tests check passwords, not the cost of guessing them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
