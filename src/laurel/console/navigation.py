"""What the site header offers the signed-in person: the console, to those who run an
organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from laurel.programs.models import Organisation


def console_link(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that do not draw the header (files, redirects) never ask.
    def administers() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace == "console":
            # Console pages open to the organisation's admins only.
            return True
        return Organisation.objects.filter(admins=user).exists()

    return {"administers_organisation": SimpleLazyObject(administers)}
