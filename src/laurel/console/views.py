"""The organisation admin's console pages. Each view parses its input, calls one service
and turns a domain error into a message next to the field."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from laurel.accounts.models import User
from laurel.certificates.reporting import programs_administered_by
from laurel.console.selectors import organisations_administered_by


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The programs this person administers, grouped by organisation, with links."""
    assert isinstance(request.user, User)
    programs = list(programs_administered_by(user_id=request.user.pk))
    organisations = organisations_administered_by(user_id=request.user.pk)
    by_organisation = [
        (organisation, [p for p in programs if p.organisation_id == organisation.pk])
        for organisation in organisations
    ]
    return render(request, "console/home.html", {"organisations": by_organisation})
