"""The public face of an issued badge: its page, its image and its share card.

As for certificates, a hidden, unknown and malformed id all get the same 404 page, from
the same lookup; the holder still sees their own hidden badge, to show it again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from laurel.accounts.models import User
from laurel.badges.models import IssuedBadge
from laurel.badges.services import badge_award_visibility
from laurel.credentials.services import badge_credential_for
from laurel.credentials.verification import SIGNATURE, STATUS, credential_verify
from laurel.errors import NotFound
from laurel.verification.badge_selectors import (
    badge_award,
    badge_description,
    badge_files,
    badge_sharing,
)
from laurel.verification.badge_services import badge_file_ensure, badge_file_restore
from laurel.verification.models import BadgeFile
from laurel.verification.views import (
    COLOUR,
    CURRENT,
    HOLDER_ONLY,
    IMMUTABLE,
)


def _is_holder(request: HttpRequest, award: IssuedBadge) -> bool:
    return request.user.is_authenticated and request.user.pk == award.user_id


def _visible_badge(request: HttpRequest, public_id: str) -> IssuedBadge | None:
    award = badge_award(public_id=public_id)
    if award is None:
        return None
    # The session is read only for a hidden badge, so public answers do not vary by cookie.
    if award.is_public or _is_holder(request, award):
        return award
    return None


def badge_not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "verification/badge_not_found.html", status=404)


@require_safe
def badge_page(request: HttpRequest, public_id: str) -> HttpResponse:
    award = _visible_badge(request, public_id)
    if award is None:
        return badge_not_found(request)
    files = badge_files(award=award)
    share = badge_sharing(award=award, files=files)
    holder = _is_holder(request, award)
    # The page checks the credential as any verifier would: signature, issuer key, status.
    verification = credential_verify(badge_credential_for(award))
    response = render(
        request,
        "verification/badge.html",
        {
            "award": award,
            "share": share,
            "is_holder": holder,
            "describe": badge_description(award=award),
            "card_url": settings.SITE_URL + share.card_url,
            # Printed into a style sheet, where escaping HTML does not protect it.
            "accent": award.colour if COLOUR.fullmatch(award.colour) else None,
            "verification": verification,
            "signature_check": verification.check(SIGNATURE),
            "status_check": verification.check(STATUS),
            "visibility_url": reverse("verification:badge_visibility", args=[award.public_id])
            if holder
            else "",
        },
    )
    # Revocation and visibility change the page at once: nobody may keep a stale copy.
    response["Cache-Control"] = HOLDER_ONLY if holder else "no-cache"
    return response


def _serve(request: HttpRequest, public_id: str, kind: str) -> HttpResponseBase:
    award = _visible_badge(request, public_id)
    if award is None:
        return badge_not_found(request)
    rendered = badge_file_ensure(award=award, kind=kind)
    response: HttpResponseBase | None = get_conditional_response(request, etag=rendered.etag)
    if response is None:
        try:
            stored = default_storage.open(rendered.name, "rb")
        except FileNotFoundError:
            rendered = badge_file_restore(award=award, kind=kind)
            stored = default_storage.open(rendered.name, "rb")
        stem = slugify(f"{award.name} {award.recipient_name}", allow_unicode=True)
        suffix = "-card.png" if kind == BadgeFile.Kind.CARD else ".png"
        response = FileResponse(
            stored, content_type="image/png", filename=(stem or "badge") + suffix
        )
    response["ETag"] = rendered.etag
    if not award.is_public:
        response["Cache-Control"] = HOLDER_ONLY
    elif request.GET.get("v") == rendered.version_tag:
        response["Cache-Control"] = IMMUTABLE
    else:
        response["Cache-Control"] = CURRENT
    return response


@require_safe
def badge_image(request: HttpRequest, public_id: str) -> HttpResponseBase:
    return _serve(request, public_id, BadgeFile.Kind.IMAGE)


@require_safe
def badge_card(request: HttpRequest, public_id: str) -> HttpResponseBase:
    return _serve(request, public_id, BadgeFile.Kind.CARD)


@require_POST
def badge_visibility(request: HttpRequest, public_id: str) -> HttpResponse:
    """The holder hides their badge's page, or shows it again."""
    award = badge_award(public_id=public_id)
    if award is None or not isinstance(request.user, User):
        return badge_not_found(request)
    try:
        badge_award_visibility(
            award=award, user=request.user, is_public=request.POST.get("is_public") == "1"
        )
    except NotFound:
        return badge_not_found(request)
    return redirect("verification:badge_page", public_id=award.public_id)
