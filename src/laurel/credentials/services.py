"""Writes: issuer keys (created on first use, rotated on demand), the signed credential
of each issued certificate and badge (built and its status entry allocated on first use),
and status bits."""

from __future__ import annotations

import secrets
from datetime import datetime
from random import SystemRandom
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate
from laurel.credentials import documents
from laurel.credentials.identity import verification_method_id
from laurel.credentials.models import (
    STATUS_LIST_SIZE,
    BadgeCredential,
    Credential,
    IssuerKey,
    StatusList,
)
from laurel.credentials.proofs import proof_attach
from laurel.credentials.sealing import seal, unseal
from laurel.errors import NotFound
from laurel.programs.models import Organisation

_random = SystemRandom()
# A list is left when seven eighths of it are taken, so that a random free index is found
# in one query (16 candidates) with overwhelming odds.
_CANDIDATES = 16


def _new_key(*, organisation: Organisation, now: datetime) -> IssuerKey:
    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key().public_bytes_raw()
    return IssuerKey.objects.create(
        organisation=organisation,
        key_id=f"key-{now:%Y%m%d}-{secrets.token_hex(4)}",
        public_key=public_key,
        sealed_private_key=seal(private_key),
        created_at=now,
    )


def issuer_key_active(*, organisation: Organisation, now: datetime | None = None) -> IssuerKey:
    """The organisation's signing key, made on first use."""
    key = IssuerKey.objects.filter(organisation=organisation, retired_at__isnull=True).first()
    if key is not None:
        return key
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _new_key(organisation=organisation, now=now)
    except IntegrityError:
        # Another request made the first key at the same moment: use that one.
        return IssuerKey.objects.get(organisation=organisation, retired_at__isnull=True)


def issuer_key_rotate(*, organisation: Organisation, now: datetime | None = None) -> IssuerKey:
    """Retire the signing key and make a new one. The retired key stays in the DID
    document, so what it signed keeps verifying; new credentials use the new key."""
    now = now or timezone.now()
    with transaction.atomic():
        IssuerKey.objects.filter(organisation=organisation, retired_at__isnull=True).update(
            retired_at=now
        )
        return _new_key(organisation=organisation, now=now)


def _status_list_with_room(*, organisation: Organisation, now: datetime) -> StatusList:
    while True:
        status_list = (
            StatusList.objects.select_for_update()
            .filter(organisation=organisation, allocated__lt=F("size") - F("size") / 8)
            .order_by("number")
            .first()
        )
        if status_list is not None:
            return status_list
        last = StatusList.objects.filter(organisation=organisation).order_by("-number").first()
        try:
            with transaction.atomic():
                StatusList.objects.create(
                    organisation=organisation,
                    number=(last.number + 1) if last else 1,
                    size=STATUS_LIST_SIZE,
                    created_at=now,
                )
        except IntegrityError:
            pass  # another request opened the list first; take a place in it


def _allocate(*, organisation: Organisation, now: datetime) -> tuple[StatusList, int]:
    """A random free index in a status list, under the list's row lock."""
    status_list = _status_list_with_room(organisation=organisation, now=now)
    while True:
        candidates = [_random.randrange(status_list.size) for _ in range(_CANDIDATES)]
        # Certificates and badges share the lists: an index is free if neither holds it.
        taken = set(
            Credential.objects.filter(
                status_list=status_list, status_index__in=candidates
            ).values_list("status_index", flat=True)
        ) | set(
            BadgeCredential.objects.filter(
                status_list=status_list, status_index__in=candidates
            ).values_list("status_index", flat=True)
        )
        free = [index for index in candidates if index not in taken]
        if free:
            StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + 1)
            return status_list, free[0]


def _bit_is_set(award: IssuedCertificate) -> bool:
    # A superseded version is withdrawn as surely as a revoked one: a verifier should
    # not accept the old name once it was corrected.
    return award.status == IssuedCertificate.Status.REVOKED or not award.is_current


def credential_issue(*, award: IssuedCertificate, now: datetime | None = None) -> Credential:
    """The award's signed credential, built and signed the first time it is asked for."""
    now = now or timezone.now()
    with transaction.atomic():
        # The award's row lock orders this against a revocation of the same award, so the
        # bit starts set if the revocation came first and is flipped if it comes after.
        locked = (
            IssuedCertificate.objects.select_for_update(of=("self",))
            .select_related("program__organisation", "user")
            .filter(pk=award.pk)
            .first()
        )
        if locked is None:
            raise NotFound("There is no such certificate.")
        existing = Credential.objects.filter(award=locked).first()
        if existing is not None:
            return existing
        organisation = locked.program.organisation
        key = issuer_key_active(organisation=organisation, now=now)
        status_list, index = _allocate(organisation=organisation, now=now)
        document = documents.open_badge_credential(
            award=locked,
            slug=organisation.slug,
            email=locked.user.email,
            salt=secrets.token_hex(16),
            status_list_number=status_list.number,
            status_index=index,
        )
        signed = proof_attach(
            document,
            private_key=unseal(key.sealed_private_key),
            verification_method=verification_method_id(organisation.slug, key.key_id),
            created=now,
        )
        return Credential.objects.create(
            award=locked,
            status_list=status_list,
            status_index=index,
            revoked=_bit_is_set(locked),
            issuer_key=key,
            document=signed,
            created_at=now,
        )


def credential_for(award: IssuedCertificate, *, now: datetime | None = None) -> dict[str, Any]:
    """The signed Open Badges 3.0 credential (JSON) of one issued certificate version,
    built and signed at ``now`` if this is the first time it is asked for."""
    document = Credential.objects.filter(award_id=award.pk).values_list("document", flat=True)
    for found in document:
        return dict(found)
    return dict(credential_issue(award=award, now=now).document)


def status_set(*, award: IssuedCertificate, revoked: bool) -> None:
    """Set or clear the award's bit in its status list (revoking, reinstating). Call it
    in the transaction that changes the award; an award without a credential yet gets
    the right bit when its credential is built."""
    Credential.objects.filter(award_id=award.pk).update(revoked=revoked)


def badge_credential_issue(*, award: IssuedBadge, now: datetime | None = None) -> BadgeCredential:
    """The issued badge's signed credential, built and signed the first time it is asked
    for, with its entry in one of the organisation's status lists."""
    now = now or timezone.now()
    with transaction.atomic():
        # The badge's row lock orders this against a revocation of the same badge, so the
        # bit starts set if the revocation came first and is flipped if it comes after.
        locked = (
            IssuedBadge.objects.select_for_update(of=("self",))
            .select_related("badge__organisation", "user")
            .filter(pk=award.pk)
            .first()
        )
        if locked is None:
            raise NotFound("There is no such badge.")
        existing = BadgeCredential.objects.filter(award=locked).first()
        if existing is not None:
            return existing
        organisation = locked.badge.organisation
        key = issuer_key_active(organisation=organisation, now=now)
        status_list, index = _allocate(organisation=organisation, now=now)
        document = documents.badge_credential(
            award=locked,
            slug=organisation.slug,
            email=locked.user.email,
            salt=secrets.token_hex(16),
            status_list_number=status_list.number,
            status_index=index,
        )
        signed = proof_attach(
            document,
            private_key=unseal(key.sealed_private_key),
            verification_method=verification_method_id(organisation.slug, key.key_id),
            created=now,
        )
        return BadgeCredential.objects.create(
            award=locked,
            status_list=status_list,
            status_index=index,
            revoked=locked.status == IssuedBadge.Status.REVOKED,
            issuer_key=key,
            document=signed,
            created_at=now,
        )


def badge_credential_for(award: IssuedBadge, *, now: datetime | None = None) -> dict[str, Any]:
    """The signed Open Badges 3.0 credential (JSON) of one issued badge, built and signed
    at ``now`` if this is the first time it is asked for."""
    document = BadgeCredential.objects.filter(award_id=award.pk).values_list("document", flat=True)
    for found in document:
        return dict(found)
    return dict(badge_credential_issue(award=award, now=now).document)


def badge_status_set(*, award_id: int, revoked: bool) -> None:
    """Set or clear the issued badge's bit in its status list. Call it in the transaction
    that revokes or reinstates the badge; a badge without a credential yet gets the right
    bit when its credential is built."""
    BadgeCredential.objects.filter(award_id=award_id).update(revoked=revoked)


def status_list_signed(*, status_list: StatusList, now: datetime | None = None) -> dict[str, Any]:
    """The organisation's status list as a signed BitstringStatusListCredential, as it
    stands now."""
    now = now or timezone.now()
    organisation = status_list.organisation
    set_bits = [
        *Credential.objects.filter(status_list=status_list, revoked=True).values_list(
            "status_index", flat=True
        ),
        *BadgeCredential.objects.filter(status_list=status_list, revoked=True).values_list(
            "status_index", flat=True
        ),
    ]
    document = documents.status_list_credential(
        slug=organisation.slug,
        number=status_list.number,
        size=status_list.size,
        set_bits=set_bits,
        now=now,
    )
    key = issuer_key_active(organisation=organisation, now=now)
    return proof_attach(
        document,
        private_key=unseal(key.sealed_private_key),
        verification_method=verification_method_id(organisation.slug, key.key_id),
        created=now,
    )
