"""Writes for the public face of an issued certificate: its files and its visibility."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laurel.accounts.models import User
from laurel.certificates.models import IssuedCertificate
from laurel.credentials.documents import BAKED_PNG_KEYWORD
from laurel.credentials.services import credential_for
from laurel.errors import NotFound
from laurel.rendering import (
    Attachment,
    CertificateFace,
    png_with_text,
    render_card_png,
    render_pdf,
    render_preview_png,
)
from laurel.verification.models import RenderedFile
from laurel.verification.selectors import certificate_face

# Wide enough to stay sharp at the size the public page shows it on a high-density screen.
PREVIEW_WIDTH = 1600
PNG_KEYWORD = BAKED_PNG_KEYWORD
PDF_ATTACHMENT_NAME = "credential.json"
CREDENTIAL_MEDIA_TYPE = "application/vc+ld+json"


def credential_text(document: dict[str, Any]) -> str:
    """The credential as baked into files: the same JSON text credential.json serves."""
    return json.dumps(document, ensure_ascii=False)


def _pdf(face: CertificateFace, credential: str) -> bytes:
    return render_pdf(
        face,
        attachment=Attachment(
            name=PDF_ATTACHMENT_NAME,
            text=credential,
            mime_type=CREDENTIAL_MEDIA_TYPE,
            description=_("The signed Open Badges 3.0 credential of this certificate"),
        ),
    )


def _card(face: CertificateFace, credential: str) -> bytes:
    return png_with_text(render_card_png(face), keyword=PNG_KEYWORD, text=credential)


def _preview(face: CertificateFace, credential: str) -> bytes:
    png = render_preview_png(face, width=PREVIEW_WIDTH)
    return png_with_text(png, keyword=PNG_KEYWORD, text=credential)


RENDERERS: dict[str, tuple[Callable[[CertificateFace, str], bytes], str]] = {
    RenderedFile.Kind.PDF: (_pdf, ".pdf"),
    RenderedFile.Kind.CARD: (_card, ".png"),
    RenderedFile.Kind.PREVIEW: (_preview, ".png"),
}


def rendered_file_ensure(
    *, award: IssuedCertificate, kind: str, now: datetime | None = None
) -> RenderedFile:
    """The file of this kind for this version of the certificate, rendered on first use.

    Two requests for a file not rendered yet render it once: the second waits for the
    first and then serves what it stored.
    """
    kind = RenderedFile.Kind(kind)
    found = RenderedFile.objects.filter(award=award, kind=kind).first()
    if found is not None and found.carries_credential:
        return found
    with transaction.atomic():
        # Claim the row first. A concurrent claimer's insert waits on the unique
        # constraint until this transaction ends, then finds the file stored (on SQLite
        # the whole transaction waits for the write lock, with the same outcome).
        RenderedFile.objects.bulk_create(
            [RenderedFile(award=award, kind=kind)], ignore_conflicts=True
        )
        claimed = RenderedFile.objects.select_for_update().get(award=award, kind=kind)
        if not claimed.name or not claimed.carries_credential:
            # A file from before credentials were baked in is replaced, once committed.
            outdated = claimed.name
            _render_into(claimed, award=award, now=now or timezone.now())
            if outdated:
                transaction.on_commit(lambda: default_storage.delete(outdated))
    return claimed


def rendered_file_restore(
    *, award: IssuedCertificate, kind: str, now: datetime | None = None
) -> RenderedFile:
    """Render a file again whose stored copy was lost (storage wiped or moved).

    Everything on it comes from the frozen fields, so it can always be drawn again.
    """
    kind = RenderedFile.Kind(kind)
    with transaction.atomic():
        rendered = RenderedFile.objects.select_for_update().get(award=award, kind=kind)
        # Whoever waited for the lock behind the first restorer finds the file back.
        if not default_storage.exists(rendered.name):
            _render_into(rendered, award=award, now=now or timezone.now())
    return rendered


def _render_into(rendered: RenderedFile, *, award: IssuedCertificate, now: datetime) -> None:
    render, suffix = RENDERERS[rendered.kind]
    # The credential of this very version: a correction is another version, with its own
    # credential and its own files.
    credential = credential_text(credential_for(award, now=now))
    content = render(certificate_face(award=award), credential)
    rendered.name = default_storage.save(
        f"certificates/{secrets.token_hex(16)}{suffix}", ContentFile(content)
    )
    rendered.sha256 = hashlib.sha256(content).hexdigest()
    rendered.size = len(content)
    rendered.created_at = now
    rendered.carries_credential = True
    rendered.save(update_fields=["name", "sha256", "size", "created_at", "carries_credential"])


def award_files_render(*, award: IssuedCertificate) -> list[RenderedFile]:
    """Every file of this version, rendering those not rendered yet."""
    return [rendered_file_ensure(award=award, kind=kind) for kind in RenderedFile.Kind]


def award_visibility_set(
    *, award: IssuedCertificate, by: User, is_public: bool
) -> IssuedCertificate:
    """Show or hide the certificate's public page and files. Only its holder may.

    Every version shares one public id; visibility is read from the current version, so
    it is set there (a correction copies it to the version it issues).
    """
    with transaction.atomic():
        current = None
        # A correction committed while this waited for the row lock moves "current" to a
        # row this statement could not see yet; the second look finds it.
        for _attempt in range(2):
            current = (
                IssuedCertificate.objects.select_for_update()
                .filter(public_id=award.public_id, is_current=True)
                .first()
            )
            if current is not None:
                break
        if current is None or current.user_id != by.pk:
            raise NotFound(_("There is no such certificate among yours."))
        if current.is_public != is_public:
            current.is_public = is_public
            current.save(update_fields=["is_public"])
    return current
