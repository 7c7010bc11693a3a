"""The emails one participant was sent, for the program's admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from laurel.accounts.models import User
from laurel.notifications.selectors import email_preferences, emails_sent_to
from laurel.notifications.services import reminders_send
from laurel.programs.models import Participant
from laurel.programs.selectors import program_administered_by


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def participant_emails(request: HttpRequest, program_id: int, participant_id: int) -> HttpResponse:
    """Which emails one participant was sent by the organisation, when, and which failed;
    and a button that reminds them of their sessions waiting for feedback."""
    assert isinstance(request.user, User)
    program = program_administered_by(program_id=program_id, user_id=request.user.pk)
    if program is None:
        raise Http404("No such program.")
    participant = (
        Participant.objects.select_related("user")
        .filter(pk=participant_id, program=program)
        .first()
    )
    if participant is None:
        raise Http404("No such participant.")
    person = participant.user
    if request.method == "POST":
        result = reminders_send(
            program=program, by=request.user, user_ids=[person.pk], now=timezone.now()
        )
        if result.reminded_user_ids:
            messages.success(
                request,
                ngettext(
                    "A reminder about %(count)s session is on its way to %(name)s.",
                    "A reminder about %(count)s sessions is on its way to %(name)s.",
                    result.sessions,
                )
                % {"count": result.sessions, "name": person.name},
            )
        else:
            messages.info(
                request,
                _(
                    "No reminder sent: %(name)s has no completed session waiting for feedback"
                    " that they were not reminded of, was reminded in the last week, or"
                    " switched reminders off (reminders go only in programs with an"
                    " automatic certificate)."
                )
                % {"name": person.name},
            )
        return redirect(
            "console:participant_emails", program_id=program.pk, participant_id=participant.pk
        )
    return render(
        request,
        "console/participant_emails.html",
        {
            "program": program,
            "participant": participant,
            "person": person,
            "emails": emails_sent_to(user_id=person.pk, organisation_id=program.organisation_id),
            "preferences": email_preferences(user_id=person.pk),
        },
    )
