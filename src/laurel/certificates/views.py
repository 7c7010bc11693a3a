"""The home page: a person's activity, and the programs an admin looks after."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from laurel.accounts.models import User
from laurel.certificates.activity import activity_for_user
from laurel.certificates.reporting import programs_administered_by


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A participant's programs, progress and certificates; an admin's programs."""
    assert isinstance(request.user, User)
    return render(
        request,
        "certificates/home.html",
        {
            "activity": activity_for_user(user_id=request.user.pk),
            "administered": list(programs_administered_by(user_id=request.user.pk)),
        },
    )
