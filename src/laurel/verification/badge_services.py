"""Writes for the public face of an issued badge: its files, drawn once and kept."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from laurel.badges.models import IssuedBadge
from laurel.credentials.services import badge_credential_for
from laurel.rendering import BadgeFace, png_with_text, render_badge_card_png, render_badge_png
from laurel.verification.badge_selectors import badge_face
from laurel.verification.models import BadgeFile
from laurel.verification.services import PNG_KEYWORD, credential_text

# Twice the 600 pixels the emblem is drawn at: sharp on a high-density screen.
IMAGE_SCALE = 2


def _image(face: BadgeFace, credential: str) -> bytes:
    # A baked badge (Open Badges 3.0 baking): the image carries its signed credential.
    return png_with_text(
        render_badge_png(face, scale=IMAGE_SCALE), keyword=PNG_KEYWORD, text=credential
    )


def _card(face: BadgeFace, credential: str) -> bytes:
    return png_with_text(render_badge_card_png(face), keyword=PNG_KEYWORD, text=credential)


BADGE_RENDERERS: dict[str, Callable[[BadgeFace, str], bytes]] = {
    BadgeFile.Kind.IMAGE: _image,
    BadgeFile.Kind.CARD: _card,
}


def badge_file_ensure(*, award: IssuedBadge, kind: str, now: datetime | None = None) -> BadgeFile:
    """The file of this kind for this badge, rendered on first use.

    Two requests for a file not rendered yet render it once: the second waits for the
    first and then serves what it stored.
    """
    kind = BadgeFile.Kind(kind)
    found = BadgeFile.objects.filter(award=award, kind=kind).first()
    if found is not None and found.name:
        return found
    with transaction.atomic():
        # Claim the row first; a concurrent claimer's insert waits on the unique constraint.
        BadgeFile.objects.bulk_create([BadgeFile(award=award, kind=kind)], ignore_conflicts=True)
        claimed = BadgeFile.objects.select_for_update().get(award=award, kind=kind)
        if not claimed.name:
            _render_into(claimed, award=award, now=now or timezone.now())
    return claimed


def badge_file_restore(*, award: IssuedBadge, kind: str, now: datetime | None = None) -> BadgeFile:
    """Render a file again whose stored copy was lost: it is drawn from frozen fields."""
    kind = BadgeFile.Kind(kind)
    with transaction.atomic():
        rendered = BadgeFile.objects.select_for_update().get(award=award, kind=kind)
        if not default_storage.exists(rendered.name):
            _render_into(rendered, award=award, now=now or timezone.now())
    return rendered


def _render_into(rendered: BadgeFile, *, award: IssuedBadge, now: datetime) -> None:
    credential = credential_text(badge_credential_for(award, now=now))
    content = BADGE_RENDERERS[rendered.kind](badge_face(award=award), credential)
    rendered.name = default_storage.save(
        f"badges/rendered/{secrets.token_hex(16)}.png", ContentFile(content)
    )
    rendered.sha256 = hashlib.sha256(content).hexdigest()
    rendered.size = len(content)
    rendered.created_at = now
    rendered.save(update_fields=["name", "sha256", "size", "created_at"])
