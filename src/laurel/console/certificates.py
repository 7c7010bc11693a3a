"""Content > Certificates: a program's certificates, creating and editing them, enabling
with an exact confirmation, disabling, and the editor's live preview.

Every write goes through ``laurel.certificates.services``, as the API's do.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from laurel.accounts.models import User
from laurel.certificates import merge_fields
from laurel.certificates.models import CertificateDefinition
from laurel.certificates.previews import sample_award, sample_recipient
from laurel.certificates.reporting import certificate_summaries
from laurel.certificates.selectors import Qualifier, award_fingerprint, would_award
from laurel.certificates.services import (
    ConfirmationRequired,
    certificate_create,
    certificate_disable,
    certificate_enable,
    certificate_update,
)
from laurel.console.access import administered_program, program_certificate
from laurel.console.certificate_forms import CertificateForm
from laurel.errors import InvalidInput, LaurelError
from laurel.programs.models import Program
from laurel.rendering import FaceError, render_preview_png
from laurel.verification.selectors import certificate_face

CONFIRM_PAGE_SIZE = 50
PREVIEW_WIDTH = 800
# Previews per admin per window, and renders at once per process: drawing takes tens of
# milliseconds of CPU, so a held-down key must not be able to keep the server busy.
PREVIEW_LIMIT = 40
PREVIEW_WINDOW_SECONDS = 10
PREVIEW_RENDERS_AT_ONCE = 2
_PREVIEW_SLOTS = threading.BoundedSemaphore(PREVIEW_RENDERS_AT_ONCE)
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")

MERGE_FIELD_HELP = {
    "recipient_name": gettext_lazy("the person's name"),
    "program_name": gettext_lazy("this program's name"),
    "sessions_required": gettext_lazy("the sessions needed"),
    "organisation_name": gettext_lazy("your organisation's name"),
    "date": gettext_lazy("the day it is awarded"),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _organisation_layout(program: Program) -> str:
    return str(getattr(program.organisation, "certificate_layout", "") or "")


def _form(program: Program, **kwargs: Any) -> CertificateForm:
    return CertificateForm(organisation_layout=_organisation_layout(program), **kwargs)


def _preview_query(values: dict[str, Any]) -> str:
    keys = ("name", "text", "colour", "layout", "rule", "threshold")
    return urlencode({k: "" if values.get(k) is None else values.get(k) for k in keys})


def _editor_context(
    request: HttpRequest,
    *,
    program: Program,
    form: CertificateForm,
    definition: CertificateDefinition | None,
) -> dict[str, Any]:
    values = form.data if form.is_bound else form.initial
    return {
        "program": program,
        "console_tab": "certificates",
        "definition": definition,
        "form": form,
        "merge_fields": [(f"{{{name}}}", MERGE_FIELD_HELP[name]) for name in merge_fields.FIELDS],
        "preview_url": reverse("console:certificate_preview", args=[program.pk])
        + "?"
        + _preview_query({k: values.get(k) for k in values}),
        "is_development": program.kind == Program.Kind.DEVELOPMENT,
        "is_group": program.kind == Program.Kind.GROUP,
    }


@require_GET
@login_required
def certificates(request: HttpRequest, program_id: int) -> HttpResponse:
    """The program's certificates: state, rule and how many have earned each."""
    program = administered_program(request, program_id)
    return render(
        request,
        "console/certificates.html",
        {
            "program": program,
            "console_tab": "certificates",
            "summaries": certificate_summaries(program=program),
            "is_group": program.kind == Program.Kind.GROUP,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def certificate_new(request: HttpRequest, program_id: int) -> HttpResponse:
    program = administered_program(request, program_id)
    manual_only = program.kind == Program.Kind.DEVELOPMENT
    initial = {
        "name": "",
        "text": _(
            "Presented to {recipient_name} for completing {sessions_required} mentorship "
            "sessions in {program_name}."
        )
        if not manual_only
        else _("Presented to {recipient_name} for their work in {program_name}."),
        "colour": program.organisation.accent_colour,
        "layout": "",
        "rule": CertificateDefinition.Rule.MANUAL
        if manual_only
        else CertificateDefinition.Rule.SESSIONS_COMPLETED,
        "threshold": None if manual_only else 3,
        "guidance": "",
    }
    if request.method == "POST" and "preview" not in request.POST:
        form = _form(program, data=request.POST)
        if form.is_valid():
            try:
                definition = certificate_create(
                    program=program,
                    by=_user(request),
                    name=form.cleaned_data["name"],
                    text=form.cleaned_data["text"],
                    colour=form.cleaned_data["colour"],
                    layout=form.cleaned_data["layout"],
                    rule=form.rule_input(),
                )
            except InvalidInput as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is created. It is disabled until you enable it.")
                    % {"name": definition.name},
                )
                return redirect("console:certificates", program.pk)
    elif request.method == "POST":
        form = _form(program, data=request.POST)
        form.is_valid()
    else:
        form = _form(program, initial=initial)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "console/certificate_form.html",
        _editor_context(request, program=program, form=form, definition=None),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def certificate_edit(request: HttpRequest, program_id: int, certificate_id: int) -> HttpResponse:
    """Edit a certificate. A rule change that awards people now is confirmed first, on a
    page listing exactly who (``certificate_change_confirm``)."""
    program = administered_program(request, program_id)
    definition = program_certificate(program, certificate_id)
    if request.method == "GET":
        form = _form(program, initial=CertificateForm.initial_for(definition))
    else:
        form = _form(program, data=request.POST)
        if form.is_valid() and "preview" not in request.POST:
            fingerprint = request.POST.get("fingerprint", "")
            confirmed = fingerprint if _FINGERPRINT.fullmatch(fingerprint) else None
            try:
                result = certificate_update(
                    definition=definition,
                    by=_user(request),
                    name=form.cleaned_data["name"],
                    text=form.cleaned_data["text"],
                    colour=form.cleaned_data["colour"],
                    layout=form.cleaned_data["layout"],
                    rule=form.rule_input(),
                    confirm=confirmed is not None,
                    confirmed=confirmed,
                )
            except ConfirmationRequired as pending:
                query = _pending_query(request.POST)
                if pending.changed:
                    query["changed"] = "1"
                return HttpResponseRedirect(
                    reverse("console:certificate_change_confirm", args=[program.pk, definition.pk])
                    + "?"
                    + urlencode(query),
                    status=303,
                )
            except InvalidInput as error:
                form.add_service_error(error)
            else:
                _saved_message(request, result.definition, result.awarded)
                return HttpResponseRedirect(
                    reverse("console:certificates", args=[program.pk]), status=303
                )
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "console/certificate_form.html",
        _editor_context(request, program=program, form=form, definition=definition),
        status=status,
    )


def _saved_message(request: HttpRequest, definition: CertificateDefinition, awarded: int) -> None:
    if awarded:
        messages.success(
            request,
            ngettext(
                "“%(name)s” is saved and awarded to %(count)d person, who is being emailed.",
                "“%(name)s” is saved and awarded to %(count)d people, who are being emailed.",
                awarded,
            )
            % {"name": definition.name, "count": awarded},
        )
    else:
        messages.success(request, _("“%(name)s” is saved.") % {"name": definition.name})


_PENDING_FIELDS = ("name", "text", "colour", "layout", "rule", "threshold", "guidance")


def _pending_query(data: QueryDict) -> dict[str, str]:
    return {key: data.get(key, "") for key in _PENDING_FIELDS}


def _confirmation_context(
    request: HttpRequest,
    *,
    program: Program,
    definition: CertificateDefinition,
    qualifiers: list[Qualifier],
    kind: str,
    pending: dict[str, str] | None = None,
    changed: bool = False,
) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()[:200]
    shown = qualifiers
    if search:
        needle = search.casefold()
        shown = [q for q in qualifiers if needle in q.name.casefold()]
    page = Paginator(shown, CONFIRM_PAGE_SIZE).get_page(request.GET.get("page"))
    keep = dict(pending or {})
    if search:
        keep["q"] = search
    return {
        "program": program,
        "console_tab": "certificates",
        "definition": definition,
        "kind": kind,
        "count": len(qualifiers),
        "fingerprint": award_fingerprint(q.user_id for q in qualifiers),
        "search": search,
        "matches": len(shown),
        "page": page,
        "pending": pending or {},
        "page_query": urlencode(keep),
        "changed": changed,
    }


@require_http_methods(["GET", "POST"])
@login_required
def certificate_enable_confirm(
    request: HttpRequest, program_id: int, certificate_id: int
) -> HttpResponse:
    """GET: who enabling awards now, exactly (searchable, a page at a time). POST: enable,
    if it awards exactly the people that page was shown for."""
    program = administered_program(request, program_id)
    definition = program_certificate(program, certificate_id)
    changed = False
    if request.method == "POST":
        fingerprint = request.POST.get("fingerprint", "")
        try:
            result = certificate_enable(
                definition=definition,
                by=_user(request),
                confirm=True,
                confirmed=fingerprint if _FINGERPRINT.fullmatch(fingerprint) else "-",
            )
        except ConfirmationRequired:
            changed = True
        except LaurelError as error:
            messages.error(request, error.detail)
            return HttpResponseRedirect(
                reverse("console:certificates", args=[program.pk]), status=303
            )
        else:
            if result.awarded:
                text = ngettext(
                    "“%(name)s” is enabled and awarded to %(count)d person, who is being emailed.",
                    "“%(name)s” is enabled and awarded to %(count)d people, who are being emailed.",
                    result.awarded,
                )
            elif not definition.is_automatic:
                text = _("“%(name)s” is enabled. Award it to people from Track Progress.")
            else:
                text = _("“%(name)s” is enabled. Nobody qualifies yet.")
            messages.success(request, text % {"name": definition.name, "count": result.awarded})
            return HttpResponseRedirect(
                reverse("console:certificates", args=[program.pk]), status=303
            )
    elif definition.enabled:
        messages.info(request, _("“%(name)s” is already enabled.") % {"name": definition.name})
        return redirect("console:certificates", program.pk)
    qualifiers = would_award(definition=definition, threshold=definition.threshold)
    context = _confirmation_context(
        request,
        program=program,
        definition=definition,
        qualifiers=qualifiers,
        kind="enable",
        changed=changed,
    )
    return render(
        request, "console/certificate_confirm.html", context, status=409 if changed else 200
    )


@require_GET
@login_required
def certificate_change_confirm(
    request: HttpRequest, program_id: int, certificate_id: int
) -> HttpResponse:
    """Who a rule change awards now, exactly; confirming posts the edit again, bound to
    this list."""
    program = administered_program(request, program_id)
    definition = program_certificate(program, certificate_id)
    form = _form(program, data=request.GET)
    if not form.is_valid():
        return redirect("console:certificate_edit", program.pk, definition.pk)
    threshold = form.rule_input().threshold
    qualifiers = (
        would_award(definition=definition, threshold=threshold) if definition.enabled else []
    )
    context = _confirmation_context(
        request,
        program=program,
        definition=definition,
        qualifiers=qualifiers,
        kind="change",
        pending=_pending_query(request.GET),
        changed=request.GET.get("changed") == "1",
    )
    context["threshold"] = threshold
    return render(request, "console/certificate_confirm.html", context)


@require_POST
@login_required
def certificate_disable_view(
    request: HttpRequest, program_id: int, certificate_id: int
) -> HttpResponse:
    program = administered_program(request, program_id)
    definition = program_certificate(program, certificate_id)
    certificate_disable(definition=definition, by=_user(request))
    messages.success(
        request,
        _("“%(name)s” is disabled. Certificates already earned stay valid.")
        % {"name": definition.name},
    )
    return HttpResponseRedirect(reverse("console:certificates", args=[program.pk]), status=303)


def _preview_allowed(user_id: int) -> bool:
    """At most ``PREVIEW_LIMIT`` previews per admin per window, counted in this process's
    cache (a preview never writes to the database)."""
    window = int(time.time() // PREVIEW_WINDOW_SECONDS)
    key = f"console-preview:{user_id}:{window}"
    cache = caches["memory"]
    cache.add(key, 0, timeout=PREVIEW_WINDOW_SECONDS * 2)
    try:
        used = cache.incr(key)
    except ValueError:
        used = 1
    return used <= PREVIEW_LIMIT


@require_GET
@login_required
def certificate_preview(request: HttpRequest, program_id: int) -> HttpResponse:
    """The certificate as it would be issued now to a sample participant, as a PNG.

    Reads the design from the query string, so the editor can show what is typed before it
    is saved. Writes nothing.
    """
    program = administered_program(request, program_id)
    if len(request.META.get("QUERY_STRING", "")) > 16_000:
        return HttpResponse(_("The preview's text is too long."), status=414)
    data = request.GET.copy()
    if not data.get("name", "").strip():
        data["name"] = _("Untitled certificate")
    form = _form(program, data=data)
    form.is_valid()
    for name in ("name", "text", "colour", "layout"):
        if name in form.errors:
            message = f"{form.fields[name].label}: {form.errors[name][0]}"
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    colour = form.cleaned_data["colour"]
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
        return HttpResponse(
            _("Use a colour in the form #RRGGBB."), status=400, content_type="text/plain"
        )
    if not _preview_allowed(_user(request).pk):
        response = HttpResponse(_("Too many previews; wait a moment."), status=429)
        response["Retry-After"] = str(PREVIEW_WINDOW_SECONDS)
        return response
    threshold = form.cleaned_data.get("threshold")
    if form.cleaned_data.get("rule") != CertificateDefinition.Rule.SESSIONS_COMPLETED:
        threshold = None
    award = sample_award(
        program=program,
        recipient_name=sample_recipient(program=program),
        name=form.cleaned_data["name"],
        text=form.cleaned_data["text"],
        colour=colour,
        layout=form.cleaned_data["layout"],
        threshold=threshold,
        now=timezone.now(),
    )
    if not _PREVIEW_SLOTS.acquire(timeout=5):
        response = HttpResponse(_("The server is busy drawing previews; try again."), status=503)
        response["Retry-After"] = "2"
        return response
    try:
        png = render_preview_png(certificate_face(award=award), width=PREVIEW_WIDTH)
    except FaceError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    finally:
        _PREVIEW_SLOTS.release()
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response
