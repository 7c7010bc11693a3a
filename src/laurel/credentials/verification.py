"""Checking a credential someone hands us: signature, issuer key, revocation status and
dates, each explained in plain words.

Only credentials issued by this Laurel's organisations can be checked fully: nothing is
fetched from elsewhere, so another issuer's key and status list are out of reach.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate
from laurel.credentials import jsonld
from laurel.credentials.identity import slug_from_did
from laurel.credentials.models import BadgeCredential, Credential, IssuerKey, StatusList
from laurel.credentials.proofs import ProofError, proof_of, proof_verify
from laurel.programs.models import Organisation

SIGNATURE = "signature"
ISSUER_KEY = "issuer key"
STATUS = "status"
DATES = "dates"


@dataclass(frozen=True)
class Check:
    check: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Signer:
    """Who signed, when the issuer key was found: for saying so in plain words."""

    name: str
    did: str
    key_id: str
    key_retired_at: datetime | None


@dataclass(frozen=True)
class Standing:
    """The credential's revocation status, when its status list was read."""

    state: Literal["valid", "revoked", "superseded"]
    # When it was revoked, or replaced by a corrected version.
    since: datetime | None = None


@dataclass(frozen=True)
class Verification:
    verified: bool
    checks: list[Check] = field(default_factory=list)
    signer: Signer | None = None
    standing: Standing | None = None

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.check == name), None)


def _issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _check_key(document: dict[str, Any]) -> tuple[Check, IssuerKey | None]:
    try:
        proof = proof_of(document)
    except ProofError as exc:
        return Check(ISSUER_KEY, False, str(exc)), None
    method = proof["verificationMethod"]
    did, _sep, key_id = method.partition("#")
    issuer = _issuer_id(document)
    if issuer is None:
        return Check(ISSUER_KEY, False, _("The credential does not name its issuer.")), None
    if did != issuer:
        return (
            Check(
                ISSUER_KEY,
                False,
                _(
                    "The credential was signed with a key of %(signer)s, not of its issuer %(issuer)s."
                )
                % {"signer": did, "issuer": issuer},
            ),
            None,
        )
    slug = slug_from_did(did)
    key = (
        IssuerKey.objects.filter(organisation__slug=slug, key_id=key_id)
        .select_related("organisation")
        .first()
        if slug and key_id
        else None
    )
    if key is None:
        if slug is None:
            detail = _(
                "The issuer %(issuer)s is not an organisation on this Laurel, so its key"
                " cannot be looked up here; check the credential with a verifier that"
                " resolves did:web."
            ) % {"issuer": issuer}
        else:
            detail = _("The issuer has no key %(key)s: the credential was not signed by it.") % {
                "key": key_id or method
            }
        return Check(ISSUER_KEY, False, detail), None
    created = _parse_time(proof.get("created"))
    name = key.organisation.name
    if key.retired_at is not None:
        if created is None or created > key.retired_at:
            return (
                Check(
                    ISSUER_KEY,
                    False,
                    _(
                        "The credential claims to be signed with a key %(name)s retired on %(day)s, after it was retired."
                    )
                    % {"name": name, "day": _day(key.retired_at)},
                ),
                None,
            )
        detail = _(
            "Signed by %(name)s with a key it has since replaced (on %(day)s); the key"
            " still vouches for what it signed before."
        ) % {"name": name, "day": _day(key.retired_at)}
    else:
        detail = _("Signed by %(name)s with its current key.") % {"name": name}
    return Check(ISSUER_KEY, True, detail), key


# How long a signature found good is remembered. The answer cannot change (same bytes,
# same key, same shipped contexts); the limit only keeps the cache from holding it forever.
SIGNATURE_MEMORY_SECONDS = 24 * 60 * 60
# The process's own memory (settings.CACHES), so that remembering costs no query.
cache = caches["memory"]


def _signature_memory_key(document: dict[str, Any], public_key: bytes) -> str:
    # The exact JSON (keys sorted) and the key: any change to either is another entry.
    digest = hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8") + public_key
    ).hexdigest()
    return f"credentials:signature-good:{digest}"


def _check_signature(document: dict[str, Any], key: IssuerKey | None) -> Check:
    if key is None:
        return Check(
            SIGNATURE, False, _("The signature cannot be checked without the issuer's key.")
        )
    good = Check(
        SIGNATURE, True, _("The signature matches: nothing was changed since it was signed.")
    )
    public_key = bytes(key.public_key)
    # Canonicalising costs milliseconds; a public page that is opened often shows the
    # same credential again and again, so a good signature is remembered by its digest.
    memory_key = _signature_memory_key(document, public_key)
    if cache.get(memory_key):
        return good
    try:
        proof_verify(document, public_key=Ed25519PublicKey.from_public_bytes(public_key))
    except ProofError as exc:
        return Check(SIGNATURE, False, str(exc))
    cache.set(memory_key, True, SIGNATURE_MEMORY_SECONDS)
    return good


_STATUS_PATH = re.compile(r"^/o/(?P<slug>[-a-zA-Z0-9_]+)/status/(?P<number>[0-9]{1,9})$")


def _why_withdrawn(status_list: StatusList, index: int, *, badge: bool) -> Standing:
    """Whether the credential at a set bit was revoked or replaced by a correction, and
    since when. ``badge``: the bit is an issued badge's (a badge is never corrected)."""
    if badge:
        found = IssuedBadge.objects.filter(
            pk__in=BadgeCredential.objects.filter(
                status_list=status_list, status_index=index
            ).values("award_id")
        ).first()
        return Standing("revoked", found.revoked_at if found else None)
    award = (
        IssuedCertificate.objects.filter(
            pk__in=Credential.objects.filter(status_list=status_list, status_index=index).values(
                "award_id"
            )
        )
        .select_related("superseded_by")
        .first()
    )
    if award is None or award.status == IssuedCertificate.Status.REVOKED:
        return Standing("revoked", award.revoked_at if award else None)
    successor = getattr(award, "superseded_by", None)
    return Standing("superseded", successor.created_at if successor else None)


def _status_list_and_bits(
    *, slug: str, number: int, index: int
) -> tuple[StatusList | None, bool, bool]:
    """The organisation's status list, and whether a certificate's or a badge's credential
    (they share the lists) holds the bit at ``index`` set. One query, written out: every
    public page asks it, and building it with the ORM cost more than running it."""
    lists = StatusList._meta.db_table
    organisations = Organisation._meta.db_table
    certificates = Credential._meta.db_table
    badges = BadgeCredential._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.id, s.organisation_id, s.size,
                EXISTS (SELECT 1 FROM {certificates} c WHERE c.status_list_id = s.id
                        AND c.status_index = %s AND c.revoked),
                EXISTS (SELECT 1 FROM {badges} b WHERE b.status_list_id = s.id
                        AND b.status_index = %s AND b.revoked)
            FROM {lists} s JOIN {organisations} o ON o.id = s.organisation_id
            WHERE o.slug = %s AND s.number = %s
            """,  # noqa: S608 - table names from the models; values are parameters
            [index, index, slug, number],
        )
        row = cursor.fetchone()
    if row is None:
        return None, False, False
    found = StatusList(pk=row[0], organisation_id=row[1], number=number, size=row[2])
    return found, bool(row[3]), bool(row[4])


def _check_status(document: dict[str, Any], key: IssuerKey | None) -> tuple[Check, Standing | None]:
    entry = document.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return Check(
            STATUS, False, _("The credential has no revocation status that Laurel can check.")
        ), None
    if entry.get("statusPurpose") != "revocation":
        return Check(
            STATUS, False, _("The credential's status entry is not about revocation.")
        ), None
    url = entry.get("statusListCredential")
    site = settings.SITE_URL
    match = (
        _STATUS_PATH.match(url.removeprefix(site))
        if isinstance(url, str) and url.startswith(site + "/")
        else None
    )
    if match is None:
        return Check(
            STATUS,
            False,
            _(
                "The credential's status list is not kept by this Laurel, so it cannot be checked here."
            ),
        ), None
    index_text = entry.get("statusListIndex")
    # At most nine ASCII digits: lists are far smaller, and the column is a 32-bit integer.
    if not isinstance(index_text, str) or not re.fullmatch(r"[0-9]{1,9}", index_text):
        return Check(STATUS, False, _("The credential's status entry points nowhere.")), None
    index = int(index_text)
    status_list, certificate_bit, badge_bit = _status_list_and_bits(
        slug=match["slug"], number=int(match["number"]), index=index
    )
    if status_list is None or index >= status_list.size:
        return Check(STATUS, False, _("The credential's status entry points nowhere.")), None
    if key is not None and status_list.organisation_id != key.organisation_id:
        return Check(
            STATUS, False, _("The credential's status list belongs to another issuer.")
        ), None
    if certificate_bit or badge_bit:
        # Rare, so the second query is only made here.
        standing = _why_withdrawn(status_list, index, badge=badge_bit)
        if standing.state == "superseded":
            detail = (
                _(
                    "The issuer replaced this credential with a corrected version on %(day)s;"
                    " this one is no longer valid."
                )
                % {"day": _day(standing.since)}
                if standing.since
                else _("The issuer replaced this credential with a corrected version.")
            )
        else:
            detail = (
                _("The issuer revoked this credential on %(day)s.") % {"day": _day(standing.since)}
                if standing.since
                else _("The issuer has revoked this credential.")
            )
        return Check(STATUS, False, detail), standing
    return Check(
        STATUS, True, _("Not revoked: the issuer's status list was checked just now.")
    ), Standing("valid")


def _check_dates(document: dict[str, Any], now: datetime) -> Check:
    valid_from = _parse_time(document.get("validFrom"))
    if valid_from is None:
        return Check(DATES, False, _("The credential has no valid start date (validFrom)."))
    if valid_from > now:
        return Check(
            DATES,
            False,
            _("The credential is only valid from %(day)s.") % {"day": _day(valid_from)},
        )
    if "validUntil" in document:
        valid_until = _parse_time(document.get("validUntil"))
        if valid_until is None:
            return Check(DATES, False, _("The credential's end date (validUntil) is not a date."))
        if valid_until <= now:
            return Check(
                DATES, False, _("The credential expired on %(day)s.") % {"day": _day(valid_until)}
            )
    return Check(DATES, True, _("Valid since %(day)s.") % {"day": _day(valid_from)})


def credential_verify(document: object, *, now: datetime | None = None) -> Verification:
    """Check a credential (parsed JSON) and say in plain words what holds and what not."""
    now = now or timezone.now()
    if not isinstance(document, dict):
        return Verification(False, [Check("format", False, _("A credential is a JSON object."))])
    types = document.get("type")
    contexts = document.get("@context")
    if (
        not isinstance(types, list)
        or "VerifiableCredential" not in types
        or not isinstance(contexts, list)
        or not contexts
        or contexts[0] != jsonld.VC_V2
    ):
        return Verification(
            False,
            [
                Check(
                    "format",
                    False,
                    _(
                        "This is not a W3C Verifiable Credential 2.0 (its @context or type is missing)."
                    ),
                )
            ],
        )
    key_check, key = _check_key(document)
    status_check, standing = _check_status(document, key)
    checks = [
        _check_signature(document, key),
        key_check,
        status_check,
        _check_dates(document, now),
    ]
    signer = (
        Signer(
            name=key.organisation.name,
            did=_issuer_id(document) or "",
            key_id=key.key_id,
            key_retired_at=key.retired_at,
        )
        if key is not None
        else None
    )
    return Verification(all(check.ok for check in checks), checks, signer, standing)
