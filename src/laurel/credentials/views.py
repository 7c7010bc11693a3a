"""Public endpoints of credentials: DID documents, credentials, status lists, and a page
that checks a credential someone pastes or uploads."""

from __future__ import annotations

import json

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from laurel.credentials import selectors, services
from laurel.credentials.documents import BAKED_PNG_KEYWORD
from laurel.credentials.verification import Verification, credential_verify
from laurel.rendering import PNG_SIGNATURE, NotAPng, png_text

MAX_UPLOAD_BYTES = 1024 * 1024


def _json(document: object, content_type: str) -> JsonResponse:
    response = JsonResponse(document, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = content_type
    # Verifiers and wallets fetch these from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def did_document(request: HttpRequest, slug: str) -> HttpResponse:
    document = selectors.organisation_did_document(slug)
    if document is None:
        raise Http404
    return _json(document, "application/did+json")


@require_GET
def credential(request: HttpRequest, public_id: str) -> HttpResponse:
    award = selectors.public_award(public_id)
    if award is None:
        raise Http404
    return _json(services.credential_for(award), "application/vc+ld+json")


@require_GET
def badge_credential(request: HttpRequest, public_id: str) -> HttpResponse:
    award = selectors.public_badge(public_id)
    if award is None:
        raise Http404
    return _json(services.badge_credential_for(award), "application/vc+ld+json")


@require_GET
def status_list(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    found = selectors.status_list_of(slug, number)
    if found is None:
        raise Http404
    response = _json(services.status_list_signed(status_list=found), "application/vc+ld+json")
    # A revocation should reach verifiers within minutes, not hours.
    response["Cache-Control"] = "public, max-age=300"
    return response


def _credential_text(data: bytes) -> str:
    """The credential in an uploaded file: a JSON file, or a PNG it is baked into."""
    if data.startswith(PNG_SIGNATURE):
        try:
            baked = png_text(data, keyword=BAKED_PNG_KEYWORD)
        except (NotAPng, UnicodeDecodeError):
            raise forms.ValidationError(
                _("This PNG image is damaged; upload the certificate image again.")
            ) from None
        if baked is None:
            raise forms.ValidationError(
                _(
                    "This image carries no Open Badges credential. Upload the image"
                    " downloaded from the certificate's or badge's page, or its"
                    " credential.json."
                )
            )
        return baked
    if data.startswith(b"%PDF-"):
        raise forms.ValidationError(
            _(
                "A PDF cannot be checked here. Its credential is attached to it: open the"
                " PDF's attachments, save credential.json and upload that file."
            )
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _(
                "The file is not UTF-8 text; upload the credential's JSON file or the"
                " certificate image."
            )
        ) from None


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label=_("Credential JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label=_("Or upload the credential file, or the certificate's image (PNG)"),
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        text = data.get("credential") or ""
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than 1 MB; a credential is much smaller.")
                )
            text = _credential_text(upload.read())
        if not str(text).strip():
            raise forms.ValidationError(_("Paste a credential or choose its file."))
        try:
            data["document"] = json.loads(str(text))
        except ValueError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON (%(reason)s).") % {"reason": exc}
            ) from None
        return data


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    result: Verification | None = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            result = credential_verify(form.cleaned_data["document"])
    else:
        form = VerifyForm()
    return render(request, "credentials/verify.html", {"form": form, "result": result})
