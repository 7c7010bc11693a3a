"""Signing in: who is asking (the client's address) and how often they may get it wrong.

Both the site's sign-in page and the admin's go through ``limit_sign_in``: while an
account or an address has used up its wrong passwords, every attempt, even with the right
password, is answered 429 with ``Retry-After`` and no password is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse

from laurel.accounts.services import (
    Limit,
    RateDecision,
    rate_limit_clear,
    rate_limit_hit,
    rate_limit_status,
)

ACCOUNT_LIMIT = "sign-in-account"
ADDRESS_LIMIT = "sign-in-address"

View = Callable[..., HttpResponseBase]


def client_address(request: HttpRequest) -> str:
    """The address of the client, as far as it can be trusted.

    With ``X_FORWARDED_FOR_PROXIES`` = N, the N-th address from the right of
    X-Forwarded-For is the one our own proxies saw; anything left of it the client may
    have written itself.
    """
    proxies = settings.X_FORWARDED_FOR_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _account(request: HttpRequest) -> str:
    # The site's form names the address "login", the admin's "username"; both are lowered:
    # one account, however its address is typed.
    typed = request.POST.get("login") or request.POST.get("username") or ""
    return str(typed).strip().lower()


def _signed_in_as(request: HttpRequest, account: str, response: HttpResponseBase) -> bool:
    """The password was right: signed in as the account asked for (someone already signed
    in as another account does not vouch for this one), or sent on to the second factor."""
    if request.user.is_authenticated:
        return getattr(request.user, "email", None) == account
    return response.status_code == 302 and response.get("Location", "").startswith(
        reverse("mfa_authenticate")
    )


def _refused(request: HttpRequest, decision: RateDecision) -> HttpResponse:
    minutes = max(1, -(-decision.retry_after // 60))
    response = TemplateResponse(
        request, "accounts/sign_in_limited.html", {"minutes": minutes}, status=429
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def limit_sign_in(view: View) -> View:
    """Refuse sign-in attempts beyond the wrong-password limits; count the wrong ones."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        account, address = _account(request), client_address(request)
        by_account, by_address = Limit.named(ACCOUNT_LIMIT), Limit.named(ADDRESS_LIMIT)
        for limit, key in ((by_account, account), (by_address, address)):
            decision = rate_limit_status(limit=limit, key=key)
            if not decision.allowed:
                return _refused(request, decision)
        response = view(request, *args, **kwargs)
        if _signed_in_as(request, account, response):
            rate_limit_clear(limit=by_account, key=account)
        else:
            rate_limit_hit(limit=by_account, key=account)
            rate_limit_hit(limit=by_address, key=address)
        return response

    return limited
