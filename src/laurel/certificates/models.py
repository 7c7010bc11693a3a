"""Certificate definitions, the progress they are awarded from, issued certificates, audit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from laurel.programs.models import COLOUR_VALIDATOR, Organisation, Participant, Program
from laurel.rendering.faces import DEFAULT_LAYOUT, LAYOUTS

TEXT_MAX_LENGTH = 2000
LAYOUT_CHOICES = [(key, label) for key, label in LAYOUTS.items()]


def layout_for(*, definition_layout: str, organisation: Organisation) -> str:
    """The layout a certificate is printed in: its own, else the organisation's default,
    else the house default."""
    # ``certificate_layout`` is the organisation's setting where it has one.
    organisation_layout = getattr(organisation, "certificate_layout", "") or ""
    for layout in (definition_layout, organisation_layout):
        if layout in LAYOUTS:
            return layout
    return DEFAULT_LAYOUT


class CertificateDefinition(models.Model):
    class Rule(models.TextChoices):
        SESSIONS_COMPLETED = "sessions_completed", "Sessions completed"
        MANUAL = "manual", "Awarded by an admin"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="certificates")
    name = models.CharField(max_length=200)
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    colour = models.CharField(max_length=7, validators=[COLOUR_VALIDATOR])
    rule = models.CharField(max_length=20, choices=Rule.choices)
    threshold = models.PositiveIntegerField(null=True, blank=True)
    guidance = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    # Blank: the organisation's default layout, whatever it is when a certificate is issued.
    layout = models.CharField(max_length=20, blank=True, choices=LAYOUT_CHOICES)
    enabled = models.BooleanField(default=False)
    enabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(rule="sessions_completed") & Q(threshold__gte=1))
                | (Q(rule="manual") & Q(threshold__isnull=True)),
                name="certificate_rule_threshold",
            ),
            models.CheckConstraint(
                condition=Q(colour__startswith="#") & Q(colour__length=7),
                name="certificate_colour_format",
            ),
        ]
        indexes = [models.Index(fields=["program", "enabled", "rule"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_automatic(self) -> bool:
        return self.rule == self.Rule.SESSIONS_COMPLETED


class Progress(models.Model):
    """A person's standing in one program under the counting rule, kept up to date.

    Maintained by the services whenever the record changes, and rebuilt from the record
    by ``progress_rebuild``. ``sessions_completed - sessions_counting`` is the number of
    completed sessions still waiting for feedback.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sessions_completed = models.PositiveIntegerField(default=0)
    sessions_counting = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="progress_unique"),
            models.CheckConstraint(
                condition=Q(sessions_counting__lte=models.F("sessions_completed")),
                name="progress_counting_within_completed",
            ),
        ]
        # Covers the award engine's "counting at least N" and the reports' histogram of
        # people by counting sessions, which reads the index alone.
        indexes = [
            models.Index(
                fields=["program", "sessions_counting", "sessions_completed"],
                name="progress_program_counting",
            ),
            # Track Progress sorts by either number.
            models.Index(fields=["program", "sessions_completed"]),
        ]
        verbose_name_plural = "progress"


class IssuedCertificate(models.Model):
    """A certificate as it was awarded. Everything shown on it is frozen here.

    A correction issues a new version with the same ``public_id``; the old version stays
    in the history with ``is_current`` false.
    """

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "Manual"

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"

    public_id = models.CharField(max_length=32)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    definition = models.ForeignKey(
        CertificateDefinition, on_delete=models.PROTECT, related_name="issued"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When it was earned; a corrected version keeps the date of the first.
    issued_at = models.DateTimeField()
    # When this version was made.
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    # Whether the public page shows the reason; the organisation always sees it.
    revocation_reason_public = models.BooleanField(default=False)
    is_public = models.BooleanField(default=True)

    # The frozen copy, as it was at award time.
    recipient_name = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    text_template = models.TextField(max_length=TEXT_MAX_LENGTH)
    text = models.TextField()
    colour = models.CharField(max_length=7)
    # Certificates issued before layouts could be chosen were all printed in the default.
    layout = models.CharField(max_length=20, default=DEFAULT_LAYOUT)
    banner = models.CharField(max_length=200, blank=True)
    logo = models.CharField(max_length=200, blank=True)
    organisation_name = models.CharField(max_length=200)
    program_name = models.CharField(max_length=200)
    sessions_required = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            # One live certificate per person and definition: this is what makes concurrent
            # awards of the same certificate collapse into one.
            models.UniqueConstraint(
                fields=["definition", "user"],
                condition=Q(is_current=True),
                name="issued_one_current_per_user",
            ),
            models.UniqueConstraint(fields=["public_id", "version"], name="issued_version_unique"),
            models.CheckConstraint(
                condition=(Q(status="valid") & Q(revoked_at__isnull=True))
                | (Q(status="revoked") & Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="issued_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(method__in=["automatic", "manual"]), name="issued_method_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["public_id"], condition=Q(is_current=True), name="issued_public"),
            models.Index(fields=["program", "user"]),
            # Reports count the holders of each certificate by status from this alone.
            models.Index(
                fields=["program", "definition", "status"],
                condition=Q(is_current=True),
                name="issued_current_by_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.recipient_name} (v{self.version})"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "certificate.created", "Certificate created"
        ENABLED = "certificate.enabled", "Certificate enabled"
        DISABLED = "certificate.disabled", "Certificate disabled"
        EDITED = "certificate.edited", "Certificate edited"
        RULE_CHANGED = "certificate.rule_changed", "Award rule changed"
        AWARDED_MANUALLY = "certificate.awarded_manually", "Awarded by an admin"
        REVOKED = "award.revoked", "Certificate revoked"
        REINSTATED = "award.reinstated", "Certificate reinstated"
        CORRECTED = "award.corrected", "Certificate corrected"
        # Entries written before corrections took a reason.
        REISSUED = "award.reissued", "Certificate re-issued"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, null=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How the change was made when no person made it by hand, e.g. "API token lrl_AbCd… (HR sync)".
    via = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    definition = models.ForeignKey(
        CertificateDefinition, null=True, on_delete=models.SET_NULL, related_name="audit"
    )
    award = models.ForeignKey(
        IssuedCertificate, null=True, on_delete=models.SET_NULL, related_name="audit"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
