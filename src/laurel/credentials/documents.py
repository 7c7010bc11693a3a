"""The JSON of credentials, before they are signed: an award's OpenBadgeCredential and an
organisation's BitstringStatusListCredential."""

from __future__ import annotations

import gzip
import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, ngettext

from laurel.certificates.models import IssuedCertificate
from laurel.credentials import jsonld
from laurel.credentials.identity import organisation_did
from laurel.credentials.multibase import base64url_multibase
from laurel.credentials.proofs import xsd_datetime

clean = jsonld.normalise_text
# The Open Badges baking specification's keyword for a credential inside a PNG.
BAKED_PNG_KEYWORD = "openbadgecredential"


def credential_url(public_id: str) -> str:
    return f"{settings.SITE_URL}/c/{public_id}/credential.json"


def status_list_url(slug: str, number: int) -> str:
    return f"{settings.SITE_URL}/o/{slug}/status/{number}"


def _media_url(path: str) -> str:
    return f"{settings.SITE_URL}/{settings.MEDIA_URL.strip('/')}/{path}"


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` and the hex digest of the identifier and salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def _narrative(award: IssuedCertificate) -> str:
    if award.method == IssuedCertificate.Method.AUTOMATIC and award.sessions_required:
        return ngettext(
            "Took part in %(count)d mentorship session in %(program)s that was completed"
            " and had feedback from at least one participant.",
            "Took part in %(count)d mentorship sessions in %(program)s that were completed"
            " and had feedback from at least one participant.",
            award.sessions_required,
        ) % {"count": award.sessions_required, "program": clean(award.program_name)}
    return gettext("Awarded by %(organisation)s for taking part in %(program)s.") % {
        "organisation": clean(award.organisation_name),
        "program": clean(award.program_name),
    }


def achievement_id(definition_id: int) -> str:
    # A stable name for the certificate definition that no one is expected to fetch.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/certificates/{definition_id}").urn


def open_badge_credential(
    *,
    award: IssuedCertificate,
    slug: str,
    email: str,
    salt: str,
    status_list_number: int,
    status_index: int,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of one issued certificate version."""
    issuer: dict[str, Any] = {
        "id": organisation_did(slug),
        "type": ["Profile"],
        "name": clean(award.organisation_name),
    }
    if award.logo:
        issuer["image"] = {"id": _media_url(award.logo), "type": "Image"}
    achievement: dict[str, Any] = {
        "id": achievement_id(award.definition_id),
        "type": ["Achievement"],
        "name": clean(award.name),
        "description": clean(award.text),
        "criteria": {"narrative": _narrative(award)},
    }
    if award.banner:
        achievement["image"] = {"id": _media_url(award.banner), "type": "Image"}
    list_url = status_list_url(slug, status_list_number)
    return {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": credential_url(award.public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": clean(award.name),
        "issuer": issuer,
        "validFrom": xsd_datetime(award.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # The recipient's name as OB 3.0 carries it (AchievementSubject has no name),
            # then their email address, salted and hashed.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": clean(award.recipient_name),
                    "identityType": "name",
                    "hashed": False,
                },
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(email, salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                },
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": list_url,
        },
    }


def encoded_list(*, size: int, set_bits: Iterable[int]) -> str:
    """GZIP-compressed bitstring, multibase base64url; index 0 is the first byte's
    most significant bit."""
    bits = bytearray(size // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    return base64url_multibase(gzip.compress(bytes(bits), mtime=0))


def status_list_credential(
    *, slug: str, number: int, size: int, set_bits: Iterable[int], now: datetime
) -> dict[str, Any]:
    url = status_list_url(slug, number)
    return {
        "@context": [jsonld.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": organisation_did(slug),
        "validFrom": xsd_datetime(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(size=size, set_bits=set_bits),
        },
    }
