"""Reads: the public award or badge behind a credential URL, DID documents, status lists."""

from __future__ import annotations

from typing import Any

from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate
from laurel.credentials.identity import did_document
from laurel.credentials.models import IssuerKey, StatusList
from laurel.programs.models import Organisation


def public_award(public_id: str) -> IssuedCertificate | None:
    """The current version of a certificate its holder shows publicly, else None (a
    private and an unknown certificate look the same)."""
    return (
        IssuedCertificate.objects.filter(public_id=public_id, is_current=True, is_public=True)
        .select_related("program__organisation", "user")
        .first()
    )


def public_badge(public_id: str) -> IssuedBadge | None:
    """An issued badge its holder shows publicly, else None (a private and an unknown badge
    look the same)."""
    return (
        IssuedBadge.objects.filter(public_id=public_id, is_public=True)
        .select_related("badge__organisation", "user")
        .first()
    )


def organisation_did_document(slug: str) -> dict[str, Any] | None:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return None
    keys = list(IssuerKey.objects.filter(organisation=organisation).order_by("created_at", "pk"))
    return did_document(slug=slug, keys=keys)


def status_list_of(slug: str, number: int) -> StatusList | None:
    return (
        StatusList.objects.filter(organisation__slug=slug, number=number)
        .select_related("organisation")
        .first()
    )
