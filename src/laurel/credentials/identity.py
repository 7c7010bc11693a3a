"""Who signs: each organisation is a ``did:web`` issuer whose DID document Laurel serves
at ``/o/<slug>/did.json``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

from laurel.credentials import jsonld
from laurel.credentials.models import IssuerKey
from laurel.credentials.multibase import ed25519_multikey


def _did_prefix() -> str:
    parts = urlsplit(settings.SITE_URL)
    # did:web percent-encodes the port's colon; path segments become colon-separated.
    host = quote(parts.netloc, safe="")
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *path])


def organisation_did(slug: str) -> str:
    return f"{_did_prefix()}:o:{slug}"


def slug_from_did(did: str) -> str | None:
    """The organisation a DID names, if it is one of this Laurel's issuers."""
    prefix = f"{_did_prefix()}:o:"
    if not did.startswith(prefix):
        return None
    slug = did.removeprefix(prefix)
    return slug if slug and ":" not in slug and "#" not in slug else None


def verification_method_id(slug: str, key_id: str) -> str:
    return f"{organisation_did(slug)}#{key_id}"


def did_document(*, slug: str, keys: list[IssuerKey]) -> dict[str, Any]:
    """The DID document: every key the organisation ever signed with, so that credentials
    signed before a rotation keep verifying."""
    did = organisation_did(slug)
    methods = [
        {
            "id": verification_method_id(slug, key.key_id),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": ed25519_multikey(bytes(key.public_key)),
        }
        for key in keys
    ]
    return {
        "@context": [jsonld.DID_V1, jsonld.MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
