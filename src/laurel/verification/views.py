"""The public face of an issued certificate: its page, its files, and its visibility.

Private, unknown and malformed ids all get the same 404 page, from the same lookup, so
that nobody can tell them apart. The holder still sees their own private certificate,
to share it again.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from laurel.accounts.models import User
from laurel.certificates.models import IssuedCertificate
from laurel.credentials.services import credential_for
from laurel.credentials.verification import SIGNATURE, STATUS, credential_verify
from laurel.errors import NotFound
from laurel.verification.models import RenderedFile
from laurel.verification.selectors import (
    current_award,
    description,
    file_url,
    rendered_files,
    sharing,
)
from laurel.verification.services import (
    award_visibility_set,
    rendered_file_ensure,
    rendered_file_restore,
)

COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
CONTENT_TYPES = {
    RenderedFile.Kind.PDF: "application/pdf",
    RenderedFile.Kind.CARD: "image/png",
    RenderedFile.Kind.PREVIEW: "image/png",
}
# A URL with the content hash (``?v=``) names one file for good. Without it, it names the
# current version's file, which a correction replaces: caches must check back, cheaply,
# since the ETag answers a 304.
IMMUTABLE = "public, max-age=31536000, immutable"
CURRENT = "public, max-age=300"
HOLDER_ONLY = "private, no-cache"


def _is_holder(request: HttpRequest, award: IssuedCertificate) -> bool:
    return request.user.is_authenticated and request.user.pk == award.user_id


def _visible_award(request: HttpRequest, public_id: str) -> IssuedCertificate | None:
    award = current_award(public_id=public_id)
    if award is None:
        return None
    # The session is read only for a private certificate, so that public answers do not
    # vary by cookie.
    if award.is_public or _is_holder(request, award):
        return award
    return None


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "verification/not_found.html", status=404)


@require_safe
def certificate_page(request: HttpRequest, public_id: str) -> HttpResponse:
    award = _visible_award(request, public_id)
    if award is None:
        return not_found(request)
    files = rendered_files(award=award)
    share = sharing(award=award, files=files)
    holder = _is_holder(request, award)
    # The page checks the credential as any verifier would: the signature (remembered
    # once found good), the issuer's key and the revocation status, looked up now.
    verification = credential_verify(credential_for(award))
    response = render(
        request,
        "verification/certificate.html",
        {
            "award": award,
            "share": share,
            "is_holder": holder,
            "describe": description(award=award),
            "preview_url": file_url(
                public_id=award.public_id, kind=RenderedFile.Kind.PREVIEW, files=files
            ),
            "card_url": settings.SITE_URL + share.image_url,
            # Printed into a style sheet, where escaping HTML does not protect it.
            "accent": award.colour if COLOUR.fullmatch(award.colour) else None,
            "verification": verification,
            "signature_check": verification.check(SIGNATURE),
            "status_check": verification.check(STATUS),
        },
    )
    # Revocation and visibility change the page at once: nobody may keep a stale copy.
    response["Cache-Control"] = HOLDER_ONLY if holder else "no-cache"
    return response


def _cache_control(request: HttpRequest, award: IssuedCertificate, rendered: RenderedFile) -> str:
    if not award.is_public:
        return HOLDER_ONLY
    if request.GET.get("v") == rendered.version_tag:
        return IMMUTABLE
    return CURRENT


def _serve(request: HttpRequest, public_id: str, kind: str) -> HttpResponseBase:
    award = _visible_award(request, public_id)
    if award is None:
        return not_found(request)
    rendered = rendered_file_ensure(award=award, kind=kind)
    response: HttpResponseBase | None = get_conditional_response(request, etag=rendered.etag)
    if response is None:
        try:
            stored = default_storage.open(rendered.name, "rb")
        except FileNotFoundError:
            rendered = rendered_file_restore(award=award, kind=kind)
            stored = default_storage.open(rendered.name, "rb")
        suffix = ".pdf" if kind == RenderedFile.Kind.PDF else ".png"
        stem = slugify(f"{award.name} {award.recipient_name}", allow_unicode=True)
        response = FileResponse(
            stored,
            content_type=CONTENT_TYPES[RenderedFile.Kind(kind)],
            filename=(stem or "certificate") + suffix,
        )
    response["ETag"] = rendered.etag
    response["Cache-Control"] = _cache_control(request, award, rendered)
    return response


@require_safe
def certificate_pdf(request: HttpRequest, public_id: str) -> HttpResponseBase:
    return _serve(request, public_id, RenderedFile.Kind.PDF)


@require_safe
def certificate_card(request: HttpRequest, public_id: str) -> HttpResponseBase:
    return _serve(request, public_id, RenderedFile.Kind.CARD)


@require_safe
def certificate_preview(request: HttpRequest, public_id: str) -> HttpResponseBase:
    return _serve(request, public_id, RenderedFile.Kind.PREVIEW)


@require_POST
def certificate_visibility(request: HttpRequest, public_id: str) -> HttpResponse:
    """The holder makes their certificate private, or public again."""
    award = current_award(public_id=public_id)
    if award is None or not isinstance(request.user, User):
        return not_found(request)
    is_public = request.POST.get("is_public") == "1"
    try:
        award_visibility_set(award=award, by=request.user, is_public=is_public)
    except NotFound:
        return not_found(request)
    return redirect("verification:page", public_id=award.public_id)
