"""Track Progress and the page of one issued certificate, for the program's admins.

Every view is for the admins of the program's organisation; anyone else gets the same 404
as for a program or certificate that does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from laurel.accounts.models import User
from laurel.certificates.models import CertificateDefinition, IssuedCertificate
from laurel.certificates.services import (
    award_correct as correct_service,
)
from laurel.certificates.services import (
    award_reinstate as reinstate_service,
)
from laurel.certificates.services import (
    award_revoke as revoke_service,
)
from laurel.certificates.services import (
    certificate_award,
)
from laurel.certificates.tracking import (
    SORTS,
    TrackFilter,
    award_history,
    award_versions,
    program_certificates,
    selection_figures,
    track_page,
)
from laurel.console.track_forms import (
    BulkAwardForm,
    CorrectForm,
    ReasonForm,
    RevokeForm,
    TrackFilterForm,
)
from laurel.errors import InvalidInput, LaurelError
from laurel.programs.models import Participant, Program
from laurel.programs.selectors import program_administered_by

FILTER_FIELDS = ("q", "role", "min", "max", "certificate", "state")
PER_PAGE = 50
# How many names the confirmation lists when everyone who matches is chosen.
NAMES_SHOWN = 20


def _admin(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _program(request: HttpRequest, program_id: int) -> Program:
    program = program_administered_by(program_id=program_id, user_id=_admin(request).pk)
    if program is None:
        raise Http404("No such program.")
    return program


def _query(data: Any, **overrides: Any) -> str:
    """The filter's part of a query string (and any overrides), without empty values."""
    values = {name: data.get(name, "") for name in FILTER_FIELDS}
    values.update(overrides)
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _filter_words(selection: TrackFilter, definitions: list[CertificateDefinition]) -> list[str]:
    """The filter in words, for the confirmation of an award to everyone who matches."""
    names = {d.pk: d.name for d in definitions}
    words = []
    if selection.search:
        words.append(_("name or email contains “%(q)s”") % {"q": selection.search})
    if selection.role:
        words.append(_("mentors") if selection.role == Participant.Role.MENTOR else _("mentees"))
    if selection.min_sessions is not None:
        words.append(_("at least %(n)s counting sessions") % {"n": selection.min_sessions})
    if selection.max_sessions is not None:
        words.append(_("at most %(n)s counting sessions") % {"n": selection.max_sessions})
    if selection.certificate_id is not None:
        state = {
            "earned": _("has earned “%(name)s”"),
            "not_earned": _("has not earned “%(name)s”"),
            "revoked": _("holds “%(name)s” revoked"),
        }[selection.state]
        words.append(state % {"name": names.get(selection.certificate_id, "")})
    return words


def _render_track(
    request: HttpRequest,
    *,
    program: Program,
    definitions: list[CertificateDefinition],
    filter_form: TrackFilterForm,
    bulk_form: BulkAwardForm,
    status: int = 200,
) -> HttpResponse:
    filter_form.is_valid()
    selection = filter_form.selection(program_id=program.pk)
    page = track_page(
        selection=selection,
        sort=filter_form.sort_key(),
        number=filter_form.page_number(),
        per_page=PER_PAGE,
        definitions=definitions,
    )
    data = filter_form.data
    sort_links = {
        key.lstrip("-"): _query(data, sort=key if page.sort != key else f"-{key}")
        for key in SORTS
        if not key.startswith("-")
    }
    ticked = set()
    if bulk_form.is_bound and hasattr(bulk_form, "cleaned_data"):
        ticked = set(bulk_form.cleaned_data.get("participant") or [])
    return render(
        request,
        "console/track.html",
        {
            "program": program,
            "console_tab": "track",
            "page": page,
            "filter_form": filter_form,
            "bulk_form": bulk_form,
            "ticked": ticked,
            "filter_hidden": [(name, data.get(name, "")) for name in FILTER_FIELDS],
            "filtered": any(data.get(name) for name in FILTER_FIELDS),
            "sort_links": sort_links,
            "page_query": _query(data, sort=page.sort),
            "enabled": [d for d in definitions if d.enabled],
        },
        status=status,
    )


@require_safe
@login_required
def track(request: HttpRequest, program_id: int) -> HttpResponse:
    """Track Progress: the program's people, searched, filtered, sorted and paged, with
    "Award certificate" as a bulk action."""
    program = _program(request, program_id)
    definitions = program_certificates(program_id=program.pk)
    return _render_track(
        request,
        program=program,
        definitions=definitions,
        filter_form=TrackFilterForm(request.GET, definitions=definitions),
        bulk_form=BulkAwardForm(None, definitions=definitions),
    )


@require_POST
@login_required
def track_award(request: HttpRequest, program_id: int) -> HttpResponse:
    """Award a certificate to the people ticked, or to everyone the filter matches: first a
    confirmation naming how many, then (``confirm=yes``) the award."""
    program = _program(request, program_id)
    definitions = program_certificates(program_id=program.pk)
    filter_form = TrackFilterForm(request.POST, definitions=definitions)
    bulk_form = BulkAwardForm(request.POST, definitions=definitions)

    def refused() -> HttpResponse:
        return _render_track(
            request, program=program, definitions=definitions, filter_form=filter_form,
            bulk_form=bulk_form, status=422,
        )  # fmt: skip

    if not bulk_form.is_valid() or not filter_form.is_valid():
        return refused()
    definition = next(
        d for d in definitions if str(d.pk) == bulk_form.cleaned_data["award_certificate"]
    )
    everyone = bulk_form.cleaned_data["scope"] == "all"
    selection = filter_form.selection(program_id=program.pk)
    ids: list[int] = bulk_form.cleaned_data["participant"]
    back = reverse("console:track", args=[program.pk])
    query = _query(filter_form.data)

    if request.POST.get("confirm") == "yes":
        try:
            result = certificate_award(
                definition=definition,
                by=_admin(request),
                participant_ids=None if everyone else ids,
                selection=selection if everyone else None,
            )
        except LaurelError as error:
            bulk_form.add_error(None, error.detail)
            return refused()
        awarded = len(result.awarded)
        text = ngettext(
            "“%(name)s” was awarded to %(count)s person; they are being emailed.",
            "“%(name)s” was awarded to %(count)s people; they are being emailed.",
            awarded,
        ) % {"name": definition.name, "count": awarded}
        if result.skipped_count:
            text += " " + ngettext(
                "%(count)s already held it and was skipped.",
                "%(count)s already held it and were skipped.",
                result.skipped_count,
            ) % {"count": result.skipped_count}
        messages.success(request, text)
        return redirect(f"{back}?{query}" if query else back)

    # The confirmation: nothing is written yet.
    holders: dict[int, IssuedCertificate] = {}
    if everyone:
        figures = selection_figures(selection=selection, certificate_id=definition.pk)
        chosen, holding, revoked = figures.matched, figures.holding, figures.revoked
        people: list[Participant] = []
    else:
        people = list(
            Participant.objects.filter(program=program, pk__in=ids)
            .select_related("user")
            .order_by("user__name", "pk")
        )
        if len(people) != len(ids):
            bulk_form.add_error(
                "participant", _("Some of the people ticked are not in this program.")
            )
            return refused()
        holders = {
            award.user_id: award
            for award in IssuedCertificate.objects.filter(
                definition=definition, is_current=True, user_id__in=[p.user_id for p in people]
            ).only("user_id", "status")
        }
        chosen = len({p.user_id for p in people})
        holding = len(holders)
        revoked = sum(1 for a in holders.values() if a.status == IssuedCertificate.Status.REVOKED)
    return render(
        request,
        "console/track_confirm.html",
        {
            "program": program,
            "console_tab": "track",
            "definition": definition,
            "everyone": everyone,
            "chosen": chosen,
            "count": chosen - holding,
            "holding": holding,
            "revoked": revoked,
            "people": [(p, holders.get(p.user_id)) for p in people],
            "filter_words": _filter_words(selection, definitions) if everyone else [],
            "post": [
                (name, value)
                for name in (*FILTER_FIELDS, "award_certificate", "scope")
                if (value := request.POST.get(name, "")) != ""
            ]
            + [("participant", str(pid)) for pid in ([] if everyone else ids)],
            "back": f"{back}?{query}" if query else back,
        },
    )


# --- one issued certificate ---------------------------------------------------------------


def _award(request: HttpRequest, award_id: int) -> IssuedCertificate:
    award = (
        IssuedCertificate.objects.select_related(
            "program__organisation", "definition", "revoked_by", "awarded_by"
        )
        .filter(pk=award_id, program__organisation__admins__id=_admin(request).pk)
        .first()
    )
    if award is None:
        raise Http404("No such certificate.")
    return award


def _render_award(
    request: HttpRequest,
    award: IssuedCertificate,
    *,
    revoke_form: RevokeForm | None = None,
    reinstate_form: ReasonForm | None = None,
    correct_form: CorrectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = award_versions(public_id=award.public_id)
    return render(
        request,
        "console/award.html",
        {
            "award": award,
            "program": award.program,
            "console_tab": "track",
            "versions": versions,
            "history": award_history(versions=versions),
            "revoke_form": revoke_form or RevokeForm(),
            "reinstate_form": reinstate_form or ReasonForm(),
            "correct_form": correct_form
            or CorrectForm(
                initial={"recipient_name": award.recipient_name, "text": award.text_template}
            ),
            "public_path": reverse("verification:page", args=[award.public_id]),
        },
        status=status,
    )


@require_safe
@login_required
def award(request: HttpRequest, award_id: int) -> HttpResponse:
    """One issued certificate: its state, its versions, who did what to it and when, and
    the forms to revoke, reinstate or correct it."""
    found = _award(request, award_id)
    if not found.is_current:
        current = IssuedCertificate.objects.filter(
            public_id=found.public_id, is_current=True
        ).values_list("pk", flat=True)
        for pk in current:
            return redirect("console:award", award_id=pk)
    return _render_award(request, found)


@require_POST
@login_required
def award_revoke(request: HttpRequest, award_id: int) -> HttpResponse:
    found = _award(request, award_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            revoke_service(
                award=found,
                by=_admin(request),
                reason=form.cleaned_data["reason"],
                public_reason=form.cleaned_data["public_reason"],
            )
        except LaurelError as error:
            if not error.errors:
                # About the certificate's state (someone else changed it meanwhile).
                messages.error(request, error.detail)
                return redirect("console:award", award_id=found.pk)
            form.add_service_error(error)
        else:
            messages.success(request, _("The certificate was revoked."))
            return redirect("console:award", award_id=found.pk)
    return _render_award(request, found, revoke_form=form, status=422)


@require_POST
@login_required
def award_reinstate(request: HttpRequest, award_id: int) -> HttpResponse:
    found = _award(request, award_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reinstate_service(award=found, by=_admin(request), reason=form.cleaned_data["reason"])
        except LaurelError as error:
            if not error.errors:
                # About the certificate's state (someone else changed it meanwhile).
                messages.error(request, error.detail)
                return redirect("console:award", award_id=found.pk)
            form.add_service_error(error)
        else:
            messages.success(request, _("The certificate was reinstated; it is valid again."))
            return redirect("console:award", award_id=found.pk)
    return _render_award(request, found, reinstate_form=form, status=422)


@require_POST
@login_required
def award_correct(request: HttpRequest, award_id: int) -> HttpResponse:
    found = _award(request, award_id)
    form = CorrectForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["recipient_name"]
        text = form.cleaned_data["text"].replace("\r\n", "\n")
        changes = {
            "recipient_name": name if name != found.recipient_name else None,
            "text": text if text != found.text_template else None,
        }
        try:
            if changes["recipient_name"] is None and changes["text"] is None:
                raise InvalidInput.field(
                    "recipient_name",
                    _("This is what the certificate already says; change the name or the text."),
                )
            new = correct_service(
                award=found,
                by=_admin(request),
                reason=form.cleaned_data["reason"],
                recipient_name=changes["recipient_name"],
                text=changes["text"],
            )
        except LaurelError as error:
            if not error.errors:
                # About the certificate's state (someone else changed it meanwhile).
                messages.error(request, error.detail)
                return redirect("console:award", award_id=found.pk)
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Version %(version)s was issued under the same link.") % {"version": new.version},
            )
            return redirect("console:award", award_id=new.pk)
    return _render_award(request, found, correct_form=form, status=422)
