"""Signing keys of issuers, revocation lists, and the signed credential of each award."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate
from laurel.programs.models import Organisation

# The Bitstring Status List specification asks for at least 131,072 entries (16 KiB) so
# that one entry cannot be singled out by watching which lists a verifier fetches.
STATUS_LIST_SIZE = 131_072


class IssuerKey(models.Model):
    """An organisation's Ed25519 signing key. The private half is stored sealed with the
    key from the environment; a retired key still verifies what it signed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key_id = models.CharField(max_length=40)
    public_key = models.BinaryField(max_length=32)
    sealed_private_key = models.BinaryField()
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key_id"], name="issuer_key_id_unique"),
            # One key signs at a time: rotation retires it in the same transaction.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(retired_at__isnull=True),
                name="issuer_key_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} ({'retired' if self.retired_at else 'active'})"


class StatusList(models.Model):
    """One revocation list of an organisation; its bits live on the credentials."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    allocated = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="status_list_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("size")), name="status_list_within_size"
            ),
        ]

    def __str__(self) -> str:
        return f"status list {self.number}"


class Credential(models.Model):
    """The signed Open Badges credential of one issued certificate version, built the
    first time it is asked for, and its entry in a revocation list."""

    award = models.OneToOneField(
        IssuedCertificate, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    # The bit in the status list: set when the award is revoked or superseded.
    revoked = models.BooleanField(default=False)
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    document = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credential_status_index_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status_list", "status_index"],
                condition=Q(revoked=True),
                name="credential_revoked_bits",
            )
        ]

    def __str__(self) -> str:
        return f"credential of award {self.award_id}"


class BadgeCredential(models.Model):
    """The signed Open Badges credential of one issued badge, built the first time it is
    asked for, and its entry in the organisation's revocation lists.

    Badges and certificates share the status lists: an index is taken by at most one
    credential of either kind (allocation looks at both, under the list's row lock).
    """

    award = models.OneToOneField(
        IssuedBadge, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    # The bit in the status list: set while the badge is revoked.
    revoked = models.BooleanField(default=False)
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    document = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"],
                name="badge_credential_status_index_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status_list", "status_index"],
                condition=Q(revoked=True),
                name="badge_credential_revoked_bits",
            )
        ]

    def __str__(self) -> str:
        return f"credential of badge {self.award_id}"
