"""A participant's own pages: their sessions in a program, scheduling one, completing or
cancelling one, and giving feedback.

Each action calls the record's one service for it (``programs.services``), which the API
calls too, so the same rules refuse the same things with the same messages. Someone who is
not a member of a session's pairing is told nothing: 404.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from laurel.accounts.models import User
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.selectors import earned_certificates
from laurel.errors import LaurelError
from laurel.participation import timezones
from laurel.participation.forms import (
    DEFAULT_DURATION_MINUTES,
    FeedbackForm,
    ScheduleForm,
    TimezoneForm,
)
from laurel.participation.selectors import (
    MemberSession,
    member_pairing,
    member_session,
    pairing_history,
    program_sessions,
)
from laurel.programs.models import PairingMember, Session
from laurel.programs.services import (
    feedback_change,
    feedback_delete,
    feedback_submit,
    session_cancel,
    session_complete,
    session_schedule,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _sessions_url(program_id: int, session_id: int | None = None) -> str:
    url = reverse("participation:sessions", kwargs={"program_id": program_id})
    return f"{url}#session-{session_id}" if session_id else url


def _next_or(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: the page the person came from, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _when(session: Session) -> str:
    return date_format(timezone.localtime(session.starts_at), "D j M Y, H:i")


def _found(request: HttpRequest, session_id: int) -> MemberSession:
    found = member_session(user_id=_user(request).pk, session_id=session_id, now=timezone.now())
    if found is None:
        raise Http404("No such session.")
    return found


@require_safe
@login_required
def sessions(request: HttpRequest, program_id: int) -> HttpResponse:
    """The person's pairings in a program, with their upcoming and past sessions."""
    found = program_sessions(user_id=_user(request).pk, program_id=program_id, now=timezone.now())
    if found is None:
        raise Http404("No such program.")
    return render(
        request,
        "participation/sessions.html",
        {
            "found": found,
            "program": found.program,
            "timezone_form": TimezoneForm(
                initial={"timezone": timezones.chosen_zone_name(request) or timezones.DEFAULT_ZONE}
            ),
            "timezone_chosen": timezones.chosen_zone_name(request) is not None,
            "here": request.get_full_path(),
        },
    )


@require_safe
@login_required
def history(request: HttpRequest, pairing_id: int) -> HttpResponse:
    """Every session of one of the person's pairings, a page at a time."""
    found = pairing_history(
        user_id=_user(request).pk,
        pairing_id=pairing_id,
        page_number=request.GET.get("page"),
        now=timezone.now(),
    )
    if found is None:
        raise Http404("No such pairing.")
    return render(
        request,
        "participation/history.html",
        {
            "found": found,
            "program": found.membership.pairing.program,
            "here": request.get_full_path(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def schedule(request: HttpRequest, pairing_id: int) -> HttpResponse:
    """Book a session of a pairing (or record one that took place, by its past date)."""
    membership = member_pairing(user_id=_user(request).pk, pairing_id=pairing_id)
    if membership is None:
        raise Http404("No such pairing.")
    program = membership.pairing.program
    chosen = timezones.chosen_zone_name(request)
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                session = session_schedule(
                    pairing=membership.pairing,
                    starts_at=form.cleaned_data["starts_at_utc"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    now=timezone.now(),
                )
            except LaurelError as error:
                form.add_service_error(error)
            else:
                timezones.remember_zone(request, form.cleaned_data["timezone"])
                with timezone.override(timezones.chosen_zone(request)):
                    messages.success(
                        request, _("Session scheduled for %(when)s.") % {"when": _when(session)}
                    )
                return HttpResponseRedirect(_sessions_url(program.pk, session.pk))
    else:
        form = ScheduleForm(
            initial={
                "timezone": chosen or timezones.DEFAULT_ZONE,
                "duration_minutes": DEFAULT_DURATION_MINUTES,
            }
        )
    return render(
        request,
        "participation/schedule.html",
        {
            "form": form,
            "program": program,
            "partner_names": _partner_names(membership),
            # Without a remembered choice, a script offers the browser's own zone.
            "detect_timezone": chosen is None and request.method != "POST",
        },
    )


def _partner_names(membership: PairingMember) -> list[str]:
    return list(
        PairingMember.objects.filter(pairing_id=membership.pairing_id)
        .exclude(user_id=membership.user_id)
        .order_by("user__name", "pk")
        .values_list("user__name", flat=True)
    )


@require_POST
@login_required
def complete(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _found(request, session_id)
    try:
        session_complete(session=found.session, now=timezone.now())
    except LaurelError as error:
        messages.error(request, _(error.detail))
    else:
        messages.success(
            request,
            _("The session of %(when)s is completed. Give your feedback so that it counts.")
            % {"when": _when(found.session)},
        )
    return HttpResponseRedirect(
        _next_or(request, _sessions_url(found.program.pk, found.session.pk))
    )


@require_POST
@login_required
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    found = _found(request, session_id)
    try:
        session_cancel(session=found.session, now=timezone.now())
    except LaurelError as error:
        messages.error(request, _(error.detail))
    else:
        messages.success(
            request, _("The session of %(when)s is cancelled.") % {"when": _when(found.session)}
        )
    return HttpResponseRedirect(
        _next_or(request, _sessions_url(found.program.pk, found.session.pk))
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def feedback(request: HttpRequest, session_id: int) -> HttpResponse:
    """Give feedback on a session, or change one's own; the session then counts."""
    found = _found(request, session_id)
    own = found.row.own_feedback
    back = _next_or(request, reverse("home"))
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            now = timezone.now()
            rating, comment = form.cleaned_data["rating"], form.cleaned_data["comment"]
            try:
                if own is None:
                    feedback_submit(
                        session=found.session,
                        author=found.member,
                        rating=rating,
                        comment=comment,
                        now=now,
                    )
                else:
                    feedback_change(feedback=own, rating=rating, comment=comment, now=now)
            except LaurelError as error:
                form.add_service_error(error)
            else:
                _say_feedback_saved(request, found, changed=own is not None, now=now)
                return HttpResponseRedirect(back)
    else:
        form = FeedbackForm(
            initial={"rating": own.rating, "comment": own.comment} if own is not None else {}
        )
    refusal = found.row.feedback_refusal
    return render(
        request,
        "participation/feedback.html",
        {
            "found": found,
            "program": found.program,
            "form": form,
            "refusal": refusal,
            "next": back,
            "sessions_url": _sessions_url(found.program.pk, found.session.pk),
        },
    )


def _say_feedback_saved(
    request: HttpRequest, found: MemberSession, *, changed: bool, now: datetime
) -> None:
    if changed:
        messages.success(request, _("Your feedback is changed."))
        return
    awarded: QuerySet[IssuedCertificate] = earned_certificates(
        program_id=found.program.pk, user_id=found.member.user_id
    ).filter(issued_at=now)
    earned = list(awarded)
    if not earned:
        messages.success(
            request, _("Thank you for your feedback. This session now counts for you both.")
        )
        return
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("verification:page", args=[a.public_id]), a.name) for a in earned),
    )
    messages.success(
        request,
        format_html(
            "{} {}",
            ngettext(
                "Thank you for your feedback. It completed a certificate: you earned",
                "Thank you for your feedback. It completed certificates: you earned",
                len(earned),
            ),
            links,
        ),
    )


@require_POST
@login_required
def feedback_withdraw(request: HttpRequest, session_id: int) -> HttpResponse:
    """Withdraw one's own feedback. Certificates already earned stay."""
    found = _found(request, session_id)
    own = found.row.own_feedback
    if own is None:
        messages.info(request, _("You have no feedback on this session to withdraw."))
    else:
        feedback_delete(feedback=own)
        messages.success(
            request,
            _(
                "Your feedback is withdrawn. Unless your partner gave feedback, the session"
                " no longer counts; certificates you earned stay yours."
            ),
        )
    return HttpResponseRedirect(
        _next_or(request, _sessions_url(found.program.pk, found.session.pk))
    )


@require_POST
@login_required
def choose_timezone(request: HttpRequest) -> HttpResponse:
    """Show times in the chosen zone from now on."""
    form = TimezoneForm(request.POST)
    if form.is_valid():
        timezones.remember_zone(request, form.cleaned_data["timezone"])
        messages.success(
            request,
            _("Times are now shown in %(zone)s.") % {"zone": form.cleaned_data["timezone"]},
        )
    else:
        messages.error(request, _("Choose a time zone from the list."))
    return HttpResponseRedirect(_next_or(request, reverse("home")))
