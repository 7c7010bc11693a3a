"""The files of an issued certificate, rendered once per version and kept in storage."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate


class RenderedFile(models.Model):
    """One rendered file of one version of an issued certificate.

    The row is the lock: whoever inserts it renders the file, in the same transaction, so
    two requests for a file not rendered yet render it once. A committed row always names
    a file in Django's default storage. A correction is a new version and so gets new
    files, carrying the new version's credential; a revocation, a reinstatement or a
    change of visibility leaves the files as they are: the credential baked in stays the
    same, and its revocation status is looked up online by whoever verifies it.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF (A4 landscape)")
        CARD = "card", _("Share card (PNG, 1200 by 627)")
        PREVIEW = "preview", _("Preview (PNG)")

    award = models.ForeignKey(IssuedCertificate, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The file's name in default storage: random, so that it cannot be guessed from the
    # certificate's public id where storage is served directly.
    name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(null=True, blank=True)
    # The file carries the version's signed credential (a PNG in an iTXt chunk, the PDF as
    # an attachment). Files rendered before credentials were baked in are drawn again.
    carries_credential = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["award", "kind"], name="rendered_file_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["pdf", "card", "preview"]), name="rendered_file_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of award {self.award_id}"

    @property
    def etag(self) -> str:
        # Strong: the hash of the bytes served.
        return f'"{self.sha256}"'

    @property
    def version_tag(self) -> str:
        """The short content hash that makes a file URL immutable (``?v=``)."""
        return self.sha256[:16]


class BadgeFile(models.Model):
    """One rendered file of one issued badge, kept in storage, rendered once.

    As with certificates the row is the lock: whoever inserts it renders the file in the
    same transaction. Both files carry the badge's signed credential (baked into the PNG).
    Nothing on an issued badge changes after it is awarded, so a file is drawn once.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Badge image (PNG, square)")
        CARD = "card", _("Share card (PNG, 1200 by 627)")

    award = models.ForeignKey(IssuedBadge, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Random, so that it cannot be guessed from the badge's public id.
    name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["award", "kind"], name="badge_file_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["image", "card"]), name="badge_file_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of badge {self.award_id}"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    @property
    def version_tag(self) -> str:
        return self.sha256[:16]
