"""The organisation admin's console pages. Each view parses its input with a form, calls
one service and turns a domain error into a message next to the field."""

from __future__ import annotations

from typing import Any

from allauth.account.utils import perform_login
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from laurel.accounts.models import User
from laurel.accounts.services import email_address_confirm
from laurel.certificates.reporting import programs_administered_by
from laurel.console.forms import (
    InvitationForm,
    OrganisationSettingsForm,
    ProgramNewForm,
    ProgramSettingsForm,
)
from laurel.console.selectors import (
    invitation_administered_by,
    invitations_pending,
    organisation_administered_by,
    organisations_administered_by,
)
from laurel.errors import LaurelError
from laurel.programs.configuration import organisation_update, program_update
from laurel.programs.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
)
from laurel.programs.models import Invitation, Program
from laurel.programs.selectors import program_administered_by
from laurel.programs.services import program_create


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _errors_to_form(form: forms.Form, error: LaurelError) -> None:
    """Each message next to its field; one for no field of the form at the top."""
    placed = False
    for field, field_messages in error.errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.detail)


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The programs this person administers, grouped by organisation, with links."""
    user = _user(request)
    programs = list(programs_administered_by(user_id=user.pk))
    organisations = organisations_administered_by(user_id=user.pk)
    by_organisation = [
        (organisation, [p for p in programs if p.organisation_id == organisation.pk])
        for organisation in organisations
    ]
    return render(request, "console/home.html", {"organisations": by_organisation})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def organisation_settings(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = organisation_administered_by(organisation_id=organisation_id, user_id=user.pk)
    if organisation is None:
        raise Http404("No such organisation.")
    initial = {
        "name": organisation.name,
        "accent_colour": organisation.accent_colour.lower(),
        "linkedin_organisation_id": organisation.linkedin_organisation_id,
        "certificate_layout": organisation.certificate_layout,
    }
    if request.method == "POST":
        form = OrganisationSettingsForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                organisation_update(
                    organisation=organisation,
                    by=user,
                    name=form.cleaned_data["name"],
                    accent_colour=form.cleaned_data["accent_colour"],
                    linkedin_organisation_id=form.cleaned_data["linkedin_organisation_id"],
                    certificate_layout=form.cleaned_data["certificate_layout"],
                    logo=form.cleaned_data["logo"] or None,
                    remove_logo=form.cleaned_data["remove_logo"],
                )
            except LaurelError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("The organisation's settings are saved."))
                return redirect("console:organisation_settings", organisation.pk)
        status = 422
    else:
        form = OrganisationSettingsForm(initial=initial)
        status = 200
    return render(
        request,
        "console/organisation_settings.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def program_new(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = organisation_administered_by(organisation_id=organisation_id, user_id=user.pk)
    if organisation is None:
        raise Http404("No such organisation.")
    if request.method == "POST":
        form = ProgramNewForm(request.POST)
        if form.is_valid():
            try:
                program = program_create(
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                )
            except LaurelError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is created. Add its people next.") % {"name": program.name},
                )
                return redirect("console:participants", program.pk)
        status = 422
    else:
        form = ProgramNewForm()
        status = 200
    return render(
        request,
        "console/program_new.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def program_settings(request: HttpRequest, program_id: int) -> HttpResponse:
    user = _user(request)
    program = program_administered_by(program_id=program_id, user_id=user.pk)
    if program is None:
        raise Http404("No such program.")
    initial = {
        "name": program.name,
        "kind": program.kind,
        "allow_both_roles": program.allow_both_roles,
    }
    if request.method == "POST":
        form = ProgramSettingsForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                program_update(
                    program=program,
                    by=user,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    allow_both_roles=form.cleaned_data["allow_both_roles"],
                    banner=form.cleaned_data["banner"] or None,
                    remove_banner=form.cleaned_data["remove_banner"],
                )
            except LaurelError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("The program's settings are saved."))
                return redirect("console:program_settings", program.pk)
        status = 422
    else:
        form = ProgramSettingsForm(initial=initial)
        status = 200
    return render(
        request,
        "console/program_settings.html",
        {"program": program, "form": form, "console_tab": "settings"},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def invitations(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Invite someone, and the invitations still waiting to be accepted."""
    user = _user(request)
    organisation = organisation_administered_by(organisation_id=organisation_id, user_id=user.pk)
    if organisation is None:
        raise Http404("No such organisation.")
    programs = list(Program.objects.filter(organisation=organisation).order_by("name", "pk"))
    status = 200
    if request.method == "POST":
        form = InvitationForm(request.POST, programs=programs)
        if form.is_valid():
            program_id = form.cleaned_data["program"]
            try:
                invitation = invitation_create(
                    organisation=organisation,
                    by=user,
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    role=form.cleaned_data["role"],
                    program=next((p for p in programs if p.pk == program_id), None),
                )
            except LaurelError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": invitation.email},
                )
                return redirect("console:invitations", organisation.pk)
        status = 422
    else:
        chosen = request.GET.get("program", "")
        form = InvitationForm(
            programs=programs,
            initial={"program": int(chosen)} if chosen.isdigit() else {},
        )
    return render(
        request,
        "console/invitations.html",
        {
            "organisation": organisation,
            "form": form,
            "pending": invitations_pending(organisation=organisation),
            "now": timezone.now(),
        },
        status=status,
    )


def _invitation_action(
    request: HttpRequest, invitation_id: int, action: Any, done: str
) -> HttpResponse:
    user = _user(request)
    invitation = invitation_administered_by(invitation_id=invitation_id, user_id=user.pk)
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        action(invitation=invitation, by=user)
    except LaurelError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, done % {"email": invitation.email})
    return redirect("console:invitations", invitation.organisation_id)


@require_POST
@login_required
def invitation_resend_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _invitation_action(
        request, invitation_id, invitation_resend, _("A new invitation link was sent to %(email)s.")
    )


@require_POST
@login_required
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _invitation_action(
        request, invitation_id, invitation_revoke, _("The invitation of %(email)s is withdrawn.")
    )


def _after_accepting(invitation: Invitation, user: User) -> str:
    landing = (
        reverse("console:home") if invitation.role == Invitation.Role.ADMIN else reverse("home")
    )
    if not user.has_usable_password():
        return f"{reverse('account_set_password')}?next={landing}"
    return landing


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponseBase:
    """An invitation's link. Opening it shows what it is for (mail scanners that open
    links must not use it up); the button accepts it and signs the person in."""
    signed_in = request.user if isinstance(request.user, User) else None
    try:
        if request.method != "POST":
            invitation = invitation_for_token(token=token)
            return render(
                request,
                "console/invitation_accept.html",
                {"invitation": invitation, "signed_in": signed_in},
            )
        accepted = invitation_accept(token=token, signed_in=signed_in)
    except InvitationUnusable as error:
        return render(
            request,
            "console/invitation_unusable.html",
            {"reason": error.reason, "detail": error.detail, "invitation": error.invitation},
            status=404 if error.reason == "invalid" else 410,
        )
    except LaurelError as error:
        return render(
            request,
            "console/invitation_unusable.html",
            {"reason": "other_account", "detail": error.detail, "invitation": None},
            status=409,
        )
    email_address_confirm(user=accepted.user)
    next_url = _after_accepting(accepted.invitation, accepted.user)
    if signed_in is not None:
        return HttpResponseRedirect(next_url)
    return perform_login(request, accepted.user, email_verification="none", redirect_url=next_url)
