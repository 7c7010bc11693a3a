"""Badges: an organisation's badges, creating and editing them, enabling with an exact
confirmation, disabling, their holders with revoke and reinstate, and their history.

Badges belong to the organisation, not to one program: these pages hang off the
organisation, like its settings. Every write goes through ``laurel.badges.services``, as the
API's do.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from laurel.accounts.models import User
from laurel.badges.models import BadgeAuditEntry, BadgeDefinition, IssuedBadge
from laurel.badges.selectors import (
    BadgeQualifier,
    badge_awards,
    badge_summaries,
    badge_would_award,
)
from laurel.badges.services import (
    BadgeConfirmationRequired,
    badge_award_reinstate,
    badge_award_revoke,
    badge_create,
    badge_disable,
    badge_enable,
    badge_image_set,
    badge_update,
)
from laurel.badges.wording import badge_rule_in_words, rule_in_words
from laurel.certificates.selectors import award_fingerprint
from laurel.console.badge_forms import PENDING_FIELDS, BadgeForm, BadgeImageForm, BadgeRevokeForm
from laurel.console.selectors import organisation_administered_by
from laurel.errors import InvalidInput, LaurelError
from laurel.programs.models import Organisation

CONFIRM_PAGE_SIZE = 50
HOLDERS_PAGE_SIZE = 50
HISTORY_SHOWN = 50
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    organisation = organisation_administered_by(
        organisation_id=organisation_id, user_id=_user(request).pk
    )
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


def _badge(request: HttpRequest, badge_id: int) -> BadgeDefinition:
    """The badge if the signed-in person administers its organisation; otherwise a 404, the
    same for another organisation's badge as for one that does not exist."""
    badge = (
        BadgeDefinition.objects.select_related("organisation")
        .filter(pk=badge_id, organisation__admins__id=_user(request).pk)
        .first()
    )
    if badge is None:
        raise Http404("No such badge.")
    return badge


def _award(request: HttpRequest, award_id: int) -> IssuedBadge:
    award = (
        IssuedBadge.objects.select_related("badge__organisation", "revoked_by")
        .filter(pk=award_id, badge__organisation__admins__id=_user(request).pk)
        .first()
    )
    if award is None:
        raise Http404("No such badge award.")
    return award


def _badges_url(organisation_id: int) -> str:
    return reverse("console:badges", args=[organisation_id])


def _confirmed(data: QueryDict) -> str | None:
    fingerprint = data.get("fingerprint", "")
    return fingerprint if _FINGERPRINT.fullmatch(fingerprint) else None


@require_safe
@login_required
def badges(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Each badge: its rule in words, whether it is enabled, how many earned it (and how
    many of those were revoked) and who is closest to it."""
    organisation = _organisation(request, organisation_id)
    summaries = badge_summaries(organisation_id=organisation.pk)
    return render(
        request,
        "console/badges/list.html",
        {
            "organisation": organisation,
            "summaries": [(s, badge_rule_in_words(s.badge)) for s in summaries],
        },
    )


def _form_context(
    *,
    organisation: Organisation,
    form: BadgeForm,
    badge: BadgeDefinition | None,
    image_form: BadgeImageForm | None = None,
) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "badge": badge,
        "form": form,
        "image_form": image_form or BadgeImageForm(),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def badge_new(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    if request.method == "POST":
        form = BadgeForm(request.POST)
        if form.is_valid():
            try:
                badge = badge_create(
                    organisation=organisation,
                    by=_user(request),
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    colour=form.cleaned_data["colour"],
                    rule=form.badge_rule(),
                )
            except LaurelError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is created. It is disabled until you enable it.")
                    % {"name": badge.name},
                )
                return HttpResponseRedirect(_badges_url(organisation.pk), status=303)
    else:
        form = BadgeForm(initial=BadgeForm.initial_new(accent_colour=organisation.accent_colour))
    return render(
        request,
        "console/badges/form.html",
        _form_context(organisation=organisation, form=form, badge=None),
        status=422 if form.is_bound else 200,
    )


def _pending(data: QueryDict) -> list[tuple[str, str]]:
    """The edited fields as (name, value) pairs: what the confirmation carries back."""
    pairs = [(key, data.get(key, "")) for key in PENDING_FIELDS if key in data]
    pairs += [("program_kinds", kind) for kind in data.getlist("program_kinds")]
    return pairs


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def badge_edit(request: HttpRequest, badge_id: int) -> HttpResponse:
    """Edit a badge. A change of an enabled badge that awards people now is confirmed
    first, on a page listing exactly who (``badge_change_confirm``)."""
    badge = _badge(request, badge_id)
    organisation = badge.organisation
    if request.method != "POST":
        form = BadgeForm(
            initial=BadgeForm.initial_for(badge, accent_colour=organisation.accent_colour)
        )
    else:
        form = BadgeForm(request.POST)
        if form.is_valid() and "back" not in request.POST:
            confirmed = _confirmed(request.POST)
            try:
                result = badge_update(
                    badge=badge,
                    by=_user(request),
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    colour=form.cleaned_data["colour"],
                    rule=form.badge_rule(),
                    confirm=confirmed is not None,
                    confirmed=confirmed,
                )
            except BadgeConfirmationRequired as pending:
                query = _pending(request.POST)
                if pending.changed:
                    query.append(("changed", "1"))
                return HttpResponseRedirect(
                    reverse("console:badge_change_confirm", args=[badge.pk])
                    + "?"
                    + urlencode(query),
                    status=303,
                )
            except LaurelError as error:
                form.add_service_error(error)
            else:
                _saved_message(request, result.badge, result.awarded)
                return HttpResponseRedirect(_badges_url(organisation.pk), status=303)
    return render(
        request,
        "console/badges/form.html",
        _form_context(organisation=organisation, form=form, badge=badge),
        status=422 if form.is_bound and form.errors else 200,
    )


def _saved_message(request: HttpRequest, badge: BadgeDefinition, awarded: int) -> None:
    if awarded:
        messages.success(
            request,
            ngettext(
                "“%(name)s” is saved and awarded to %(count)d person, who is being emailed.",
                "“%(name)s” is saved and awarded to %(count)d people, who are being emailed.",
                awarded,
            )
            % {"name": badge.name, "count": awarded},
        )
    else:
        messages.success(request, _("“%(name)s” is saved.") % {"name": badge.name})


@require_POST
@login_required
def badge_image(request: HttpRequest, badge_id: int) -> HttpResponse:
    """Upload the badge's image, or go back to the emblem drawn in its colour."""
    badge = _badge(request, badge_id)
    image_form = BadgeImageForm(request.POST, request.FILES)
    if image_form.is_valid():
        upload = image_form.cleaned_data["image"]
        try:
            badge = badge_image_set(
                badge=badge,
                by=_user(request),
                image=None if image_form.cleaned_data["use_emblem"] else upload,
            )
        except InvalidInput as error:
            for message in error.errors.get("image", []) or [error.detail]:
                image_form.add_error("image", message)
        else:
            messages.success(
                request,
                _("The image of “%(name)s” is saved.") % {"name": badge.name}
                if badge.image
                else _("“%(name)s” shows its emblem.") % {"name": badge.name},
            )
            return HttpResponseRedirect(reverse("console:badge_edit", args=[badge.pk]), status=303)
    form = BadgeForm(
        initial=BadgeForm.initial_for(badge, accent_colour=badge.organisation.accent_colour)
    )
    return render(
        request,
        "console/badges/form.html",
        _form_context(
            organisation=badge.organisation, form=form, badge=badge, image_form=image_form
        ),
        status=422,
    )


def _confirmation_context(
    request: HttpRequest,
    *,
    badge: BadgeDefinition,
    qualifiers: list[BadgeQualifier],
    fingerprint: str,
    kind: str,
    pending: list[tuple[str, str]] | None = None,
    changed: bool = False,
) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()[:200]
    shown = qualifiers
    if search:
        needle = search.casefold()
        shown = [q for q in qualifiers if needle in q.name.casefold()]
    page = Paginator(shown, CONFIRM_PAGE_SIZE).get_page(request.GET.get("page"))
    keep = list(pending or [])
    if search:
        keep.append(("q", search))
    return {
        "organisation": badge.organisation,
        "badge": badge,
        "kind": kind,
        "count": len(qualifiers),
        "fingerprint": fingerprint,
        "search": search,
        "matches": len(shown),
        "page": page,
        "pending": pending or [],
        "page_query": urlencode(keep),
        "changed": changed,
    }


def _fingerprint(qualifiers: list[BadgeQualifier]) -> str:
    """What confirming this list passes as ``confirmed``: the people, never the page."""
    return award_fingerprint(q.user_id for q in qualifiers)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def badge_enable_confirm(request: HttpRequest, badge_id: int) -> HttpResponse:
    """GET: who enabling awards now, exactly (searchable, a page at a time). POST: enable,
    if it awards exactly the people that page was shown for."""
    badge = _badge(request, badge_id)
    changed = False
    if request.method == "POST":
        try:
            result = badge_enable(
                badge=badge,
                by=_user(request),
                confirm=True,
                confirmed=_confirmed(request.POST) or "-",
            )
        except BadgeConfirmationRequired:
            changed = True
        except LaurelError as error:
            messages.error(request, error.detail)
            return HttpResponseRedirect(_badges_url(badge.organisation_id), status=303)
        else:
            if result.awarded:
                text = ngettext(
                    "“%(name)s” is enabled and awarded to %(count)d person, who is being emailed.",
                    "“%(name)s” is enabled and awarded to %(count)d people, who are being emailed.",
                    result.awarded,
                )
            else:
                text = _("“%(name)s” is enabled. Nobody qualifies yet.")
            messages.success(request, text % {"name": badge.name, "count": result.awarded})
            return HttpResponseRedirect(_badges_url(badge.organisation_id), status=303)
    elif badge.enabled:
        messages.info(request, _("“%(name)s” is already enabled.") % {"name": badge.name})
        return HttpResponseRedirect(_badges_url(badge.organisation_id), status=303)
    qualifiers = badge_would_award(badge=badge)
    context = _confirmation_context(
        request,
        badge=badge,
        qualifiers=qualifiers,
        fingerprint=_fingerprint(qualifiers),
        kind="enable",
        changed=changed,
    )
    context["rule_words"] = badge_rule_in_words(badge)
    return render(request, "console/badges/confirm.html", context, status=409 if changed else 200)


@require_safe
@login_required
def badge_change_confirm(request: HttpRequest, badge_id: int) -> HttpResponse:
    """Who a rule change awards now, exactly; confirming posts the edit again, bound to
    this list."""
    badge = _badge(request, badge_id)
    form = BadgeForm(request.GET)
    if not form.is_valid():
        return HttpResponseRedirect(reverse("console:badge_edit", args=[badge.pk]))
    rule = form.badge_rule()
    qualifiers = badge_would_award(badge=badge, rule=rule) if badge.enabled else []
    context = _confirmation_context(
        request,
        badge=badge,
        qualifiers=qualifiers,
        fingerprint=_fingerprint(qualifiers),
        kind="change",
        pending=_pending(request.GET),
        changed=request.GET.get("changed") == "1",
    )
    context["rule_words"] = rule_in_words(
        rule=rule.type,
        role=rule.role,
        threshold=rule.threshold,
        feedback_required=rule.feedback_required,
        program_kinds=rule.program_kinds,
    )
    return render(request, "console/badges/confirm.html", context)


@require_POST
@login_required
def badge_disable_view(request: HttpRequest, badge_id: int) -> HttpResponse:
    badge = _badge(request, badge_id)
    try:
        badge_disable(badge=badge, by=_user(request))
    except LaurelError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("“%(name)s” is disabled. Badges already earned stay valid.") % {"name": badge.name},
        )
    return HttpResponseRedirect(_badges_url(badge.organisation_id), status=303)


@require_safe
@login_required
def badge_holders(request: HttpRequest, badge_id: int) -> HttpResponse:
    """Who holds the badge, newest first (searchable, a page at a time), and the badge's
    history: who changed it, enabled it, revoked or reinstated it, and when."""
    badge = _badge(request, badge_id)
    search = request.GET.get("q", "").strip()[:200]
    page = Paginator(badge_awards(badge=badge, search=search), HOLDERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    history = list(
        BadgeAuditEntry.objects.filter(badge=badge).select_related("actor", "award")[:HISTORY_SHOWN]
    )
    return render(
        request,
        "console/badges/holders.html",
        {
            "organisation": badge.organisation,
            "badge": badge,
            "rule_words": badge_rule_in_words(badge),
            "page": page,
            "search": search,
            "history": history,
        },
    )


def _render_award(
    request: HttpRequest,
    award: IssuedBadge,
    *,
    revoke_form: BadgeRevokeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = list(
        BadgeAuditEntry.objects.filter(award=award).select_related("actor")[:HISTORY_SHOWN]
    )
    return render(
        request,
        "console/badges/award.html",
        {
            "organisation": award.badge.organisation,
            "badge": award.badge,
            "award": award,
            "history": history,
            "revoke_form": revoke_form or BadgeRevokeForm(),
        },
        status=status,
    )


@require_safe
@login_required
def badge_award(request: HttpRequest, badge_award_id: int) -> HttpResponse:
    """One person's badge: what it says, whether it is valid, its history, and the forms to
    revoke or reinstate it."""
    return _render_award(request, _award(request, badge_award_id))


@require_POST
@login_required
def badge_award_revoke_view(request: HttpRequest, badge_award_id: int) -> HttpResponse:
    award = _award(request, badge_award_id)
    form = BadgeRevokeForm(request.POST)
    if form.is_valid():
        try:
            badge_award_revoke(
                award=award,
                by=_user(request),
                reason=form.cleaned_data["reason"],
                public_reason=form.cleaned_data["public_reason"],
            )
        except LaurelError as error:
            if not error.errors:
                # About the badge's state (someone else changed it meanwhile).
                messages.error(request, error.detail)
                return HttpResponseRedirect(
                    reverse("console:badge_award", args=[award.pk]), status=303
                )
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("“%(badge)s” of %(name)s is revoked.")
                % {"badge": award.name, "name": award.recipient_name},
            )
            return HttpResponseRedirect(reverse("console:badge_award", args=[award.pk]), status=303)
    return _render_award(request, award, revoke_form=form, status=422)


@require_POST
@login_required
def badge_award_reinstate_view(request: HttpRequest, badge_award_id: int) -> HttpResponse:
    award = _award(request, badge_award_id)
    try:
        badge_award_reinstate(award=award, by=_user(request))
    except LaurelError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("“%(badge)s” of %(name)s is reinstated; it is valid again.")
            % {"badge": award.name, "name": award.recipient_name},
        )
    return HttpResponseRedirect(reverse("console:badge_award", args=[award.pk]), status=303)
