"""The JSON of credentials, before they are signed: an award's OpenBadgeCredential, an issued
badge's AchievementCredential and an organisation's BitstringStatusListCredential."""

from __future__ import annotations

import gzip
import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, ngettext

from laurel.badges.models import IssuedBadge
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


def badge_credential_url(public_id: str) -> str:
    return f"{settings.SITE_URL}/b/{public_id}/credential.json"


def badge_image_url(public_id: str) -> str:
    return f"{settings.SITE_URL}/b/{public_id}.png"


def badge_achievement_id(badge_id: int) -> str:
    # A stable name for the badge definition that no one is expected to fetch.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/badges/{badge_id}").urn


def _kinds_in_words(kinds: Iterable[str]) -> str:
    labels = {
        "one_on_one": gettext("1:1"),
        "development": gettext("development"),
        "group": gettext("group"),
    }
    named = [labels.get(kind, kind) for kind in kinds]
    if len(named) <= 1:
        return "".join(named)
    return gettext("%(first)s or %(last)s") % {"first": ", ".join(named[:-1]), "last": named[-1]}


def badge_criteria(award: IssuedBadge) -> str:
    """What an issued badge recognises, in words, from its frozen rule."""
    values = {
        "count": award.threshold,
        "kinds": _kinds_in_words(award.program_kinds),
        "organisation": clean(award.organisation_name),
    }
    if award.rule == "distinct_partners":
        if award.feedback_required:
            text = ngettext(
                "Held completed mentorship sessions, with feedback, with %(count)d different"
                " person in %(kinds)s programs of %(organisation)s.",
                "Held completed mentorship sessions, with feedback, with %(count)d different"
                " people in %(kinds)s programs of %(organisation)s.",
                award.threshold,
            )
        else:
            text = ngettext(
                "Held completed mentorship sessions with %(count)d different person in"
                " %(kinds)s programs of %(organisation)s.",
                "Held completed mentorship sessions with %(count)d different people in"
                " %(kinds)s programs of %(organisation)s.",
                award.threshold,
            )
    elif award.role == "mentee":
        if award.feedback_required:
            text = ngettext(
                "Took part as a mentee in %(count)d completed mentorship session with"
                " feedback, in %(kinds)s programs of %(organisation)s.",
                "Took part as a mentee in %(count)d completed mentorship sessions with"
                " feedback, in %(kinds)s programs of %(organisation)s.",
                award.threshold,
            )
        else:
            text = ngettext(
                "Took part as a mentee in %(count)d completed mentorship session in %(kinds)s"
                " programs of %(organisation)s.",
                "Took part as a mentee in %(count)d completed mentorship sessions in"
                " %(kinds)s programs of %(organisation)s.",
                award.threshold,
            )
    elif award.feedback_required:
        text = ngettext(
            "Mentored %(count)d completed mentorship session with feedback, in %(kinds)s"
            " programs of %(organisation)s.",
            "Mentored %(count)d completed mentorship sessions with feedback, in %(kinds)s"
            " programs of %(organisation)s.",
            award.threshold,
        )
    else:
        text = ngettext(
            "Mentored %(count)d completed mentorship session in %(kinds)s programs of"
            " %(organisation)s.",
            "Mentored %(count)d completed mentorship sessions in %(kinds)s programs of"
            " %(organisation)s.",
            award.threshold,
        )
    return text % values


def badge_credential(
    *,
    award: IssuedBadge,
    slug: str,
    email: str,
    salt: str,
    status_list_number: int,
    status_index: int,
) -> dict[str, Any]:
    """The unsigned AchievementCredential of one issued badge: the badge is the
    Achievement, its rule in words the criteria."""
    issuer: dict[str, Any] = {
        "id": organisation_did(slug),
        "type": ["Profile"],
        "name": clean(award.organisation_name),
    }
    if award.logo:
        issuer["image"] = {"id": _media_url(award.logo), "type": "Image"}
    achievement: dict[str, Any] = {
        "id": badge_achievement_id(award.badge_id),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": clean(award.name),
        "description": clean(award.description) or badge_criteria(award),
        "criteria": {"narrative": badge_criteria(award)},
        # The badge's picture (its upload, or its emblem), as the badge's page shows it.
        "image": {"id": badge_image_url(award.public_id), "type": "Image"},
    }
    list_url = status_list_url(slug, status_list_number)
    return {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": badge_credential_url(award.public_id),
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": clean(award.name),
        "issuer": issuer,
        "validFrom": xsd_datetime(award.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
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
