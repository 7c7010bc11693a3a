"""Old addresses of pages that moved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from laurel.accounts.models import User
from laurel.programs.selectors import program_administered_by


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
