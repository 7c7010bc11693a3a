"""The home page: a person's activity, and the programs an admin looks after."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from laurel.accounts.models import User
from laurel.certificates.activity import activity_for_user
from laurel.certificates.reporting import programs_administered_by
from laurel.programs.selectors import program_administered_by


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A participant's programs, progress and certificates; an admin's programs."""
    assert isinstance(request.user, User)
    administered = list(programs_administered_by(user_id=request.user.pk))
    context: dict[str, object] = {
        "activity": activity_for_user(user_id=request.user.pk),
        "administered": administered,
    }
    if administered:
        # Known already: the header's console link needs no query of its own here.
        context["administers_organisation"] = True
    return render(request, "certificates/home.html", context)


@require_safe
@login_required
def program_certificates_moved(request: HttpRequest, program_id: int) -> HttpResponse:
    """The program's report moved into the console; old links and bookmarks still arrive
    (its admins only: anyone else learns nothing about the program)."""
    assert isinstance(request.user, User)
    if program_administered_by(program_id=program_id, user_id=request.user.pk) is None:
        raise Http404("No such program.")
    target = reverse("console:reporting", args=[program_id])
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
