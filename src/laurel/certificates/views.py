"""Pages: a person's activity, and a program's certificates with progress for its admins."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from laurel.accounts.models import User
from laurel.certificates.activity import activity_for_user
from laurel.certificates.reporting import certificate_report, programs_administered_by
from laurel.programs.selectors import program_administered_by


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


@require_safe
@login_required
def program_certificates(request: HttpRequest, program_id: int) -> HttpResponse:
    """The program's certificates and its participants' progress, for its admins only."""
    assert isinstance(request.user, User)
    program = program_administered_by(program_id=program_id, user_id=request.user.pk)
    if program is None:
        raise Http404("No such program.")
    report = certificate_report(program=program, page_number=request.GET.get("page"))
    return render(request, "certificates/program_certificates.html", {"report": report})
