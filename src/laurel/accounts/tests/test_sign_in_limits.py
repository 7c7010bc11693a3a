"""Wrong passwords are limited per account and per client address, on the site's sign-in
page and the admin's; the limits are kept in the database."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.accounts.models import RateLimit, User
from laurel.accounts.services import Limit, rate_limit_hit, rate_limit_status, rate_limits_prune

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "a-long-passphrase"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "sign-in-account": (5, 900),
        "sign-in-address": (12, 900),
    }


@pytest.fixture
def zoe():
    return User.objects.create_user(email="zoe@example.org", name="Zoë", password=PASSWORD)


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, moved by hand."""
    now = [1_800_000_000.0]
    monkeypatch.setattr("laurel.accounts.services.time.time", lambda: now[0])
    return now


def sign_in(client, email, password, path=LOGIN, address="203.0.113.7"):
    # The site's form names the address "login", the admin's "username".
    field = "username" if path == ADMIN_LOGIN else "login"
    return client.post(path, {field: email, "password": password}, REMOTE_ADDR=address)


def is_signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_100_wrong_passwords_then_the_right_one_does_not_sign_in(client, zoe, path, clock):
    zoe.is_staff = True
    zoe.save()
    statuses = [
        sign_in(client, "zoe@example.org", f"guess-{i}", path).status_code for i in range(100)
    ]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    response = sign_in(client, "zoe@example.org", PASSWORD, path)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 900
    assert "Too many attempts to sign in" in response.content.decode()
    assert not is_signed_in(client)


def test_the_account_can_sign_in_again_when_the_window_has_passed(client, zoe, clock):
    for i in range(5):
        sign_in(client, "zoe@example.org", f"guess-{i}")
    clock[0] += 600
    response = sign_in(client, "zoe@example.org", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 300
    clock[0] += 300
    response = sign_in(client, "zoe@example.org", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_account_limit_holds_from_every_address_and_spelling(client, zoe, clock):
    for i in range(5):
        sign_in(client, "Zoe@Example.org", f"guess-{i}", address=f"198.51.100.{i}")
    response = sign_in(client, "zoe@example.org", PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_one_address_is_limited_across_accounts(client, zoe, clock):
    for i in range(12):
        assert sign_in(client, f"person{i}@example.org", "guess").status_code == 200
    response = sign_in(client, "zoe@example.org", PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(client)
    # Zoë herself, from elsewhere, is not held up by that address.
    assert sign_in(client, "zoe@example.org", PASSWORD, address="192.0.2.1").status_code == 302


def test_a_successful_sign_in_forgets_the_accounts_wrong_passwords(client, zoe, clock):
    for i in range(4):
        sign_in(client, "zoe@example.org", f"guess-{i}")
    assert sign_in(client, "zoe@example.org", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for i in range(4):
        assert sign_in(client, "zoe@example.org", f"guess-{i}").status_code == 200
    assert sign_in(client, "zoe@example.org", PASSWORD).status_code == 302


def test_someone_signed_in_does_not_reset_another_accounts_count(client, zoe, clock):
    User.objects.create_user(email="mallory@example.org", name="Mallory", password=PASSWORD)
    assert sign_in(client, "mallory@example.org", PASSWORD, ADMIN_LOGIN).status_code == 200
    for i in range(5):
        sign_in(client, "zoe@example.org", f"guess-{i}", ADMIN_LOGIN, address=f"192.0.2.{i}")
    response = sign_in(client, "zoe@example.org", PASSWORD, ADMIN_LOGIN, address="192.0.2.50")
    assert response.status_code == 429


def test_forwarded_addresses_count_only_when_a_proxy_is_configured(client, zoe, clock, settings):
    def attempt(forwarded_for, remote="10.0.0.1"):
        return client.post(
            LOGIN,
            {"username": "nobody@example.org", "password": "guess"},
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign-in-account": (0, 900)}
    # No proxy configured: the header is the client's own invention and changes nothing.
    for i in range(12):
        attempt(f"198.51.100.{i}")
    assert attempt("198.51.100.200").status_code == 429
    # One proxy: the address it appended is the client; what the client wrote is not.
    settings.X_FORWARDED_FOR_PROXIES = 1
    for i in range(12):
        assert attempt(f"6.6.6.{i}, 203.0.113.50").status_code == 200
    assert attempt("7.7.7.7, 203.0.113.50").status_code == 429
    assert attempt("6.6.6.6, 203.0.113.51").status_code == 200


def test_the_limiter_counts_every_hit_in_its_window(db, clock):
    limit = Limit(scope="tests", max_hits=3, period_seconds=60)
    decisions = [rate_limit_hit(limit=limit, key="k").allowed for _ in range(5)]
    assert decisions == [True, True, True, False, False]
    assert RateLimit.objects.get(scope="tests").hits == 5
    assert rate_limit_status(limit=limit, key="k").retry_after == 60
    assert rate_limit_status(limit=limit, key="other").allowed
    clock[0] += 60
    assert rate_limit_status(limit=limit, key="k").allowed
    assert rate_limit_hit(limit=limit, key="k").allowed
    assert RateLimit.objects.get(scope="tests").hits == 1


def test_a_limit_of_zero_is_off(db, clock):
    limit = Limit(scope="tests", max_hits=0, period_seconds=60)
    assert all(rate_limit_hit(limit=limit, key="k").allowed for _ in range(50))
    assert not RateLimit.objects.exists()


def test_ended_windows_are_pruned(db, clock):
    rate_limit_hit(limit=Limit(scope="tests", max_hits=3, period_seconds=60), key="old")
    clock[0] += 3600
    rate_limit_hit(limit=Limit(scope="tests", max_hits=3, period_seconds=60), key="new")
    assert rate_limits_prune() == 1
    assert RateLimit.objects.count() == 1
