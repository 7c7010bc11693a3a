"""Badges: recognition of engagement in a role across all programs of an organisation.

A badge is earned from the kept tallies below (never by re-aggregating the record): the
sessions each person held in each role in each program, and the sessions each person held
with each partner. Which sessions count (completed, or completed with feedback) and which
program kinds count are the badge's own settings (PRODUCT.md section 7).
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laurel.programs.models import COLOUR_VALIDATOR, Organisation, Participant, Program

TEXT_MAX_LENGTH = 2000
MAX_THRESHOLD = 10_000


def badge_image_upload_to(instance: models.Model, filename: str) -> str:
    # A fresh name for every upload: issued badges keep pointing at the image that was
    # current when they were awarded, so an upload must never overwrite a file.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"badges/{secrets.token_hex(16)}{suffix}"


def default_program_kinds() -> list[str]:
    return [Program.Kind.ONE_ON_ONE.value]


class BadgeDefinition(models.Model):
    class Rule(models.TextChoices):
        SESSIONS_AS_ROLE = "sessions_as_role", _("Sessions in a role")
        DISTINCT_PARTNERS = "distinct_partners", _("Sessions with different people")

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="badges")
    # Which of the four defaults this badge started as ("mentor", "mentee", "super_mentor",
    # "connector"), blank for a badge an admin added. Makes creating the defaults idempotent.
    default_key = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    # Blank: an emblem drawn in the badge's colour.
    image = models.ImageField(upload_to=badge_image_upload_to, blank=True, max_length=200)
    # Blank: the organisation's accent colour, whatever it is when the badge is drawn.
    colour = models.CharField(max_length=7, blank=True, validators=[COLOUR_VALIDATOR])
    rule = models.CharField(max_length=20, choices=Rule.choices)
    # The role whose sessions count, for ``sessions_as_role``; blank for ``distinct_partners``
    # (a partner met in either role counts).
    role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    threshold = models.PositiveIntegerField()
    # Whether a completed session counts only once someone gave feedback on it (the
    # counting rule of certificates), or as soon as it is completed.
    feedback_required = models.BooleanField(default=False)
    # The program kinds whose sessions count: a list of ``Program.Kind`` values.
    program_kinds = models.JSONField(default=default_program_kinds)
    enabled = models.BooleanField(default=False)
    enabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(rule="sessions_as_role") & Q(role__in=["mentor", "mentee"]))
                | (Q(rule="distinct_partners") & Q(role="")),
                name="badge_rule_role",
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=1) & Q(threshold__lte=MAX_THRESHOLD),
                name="badge_threshold_range",
            ),
            models.CheckConstraint(
                condition=Q(colour="") | (Q(colour__startswith="#") & Q(colour__length=7)),
                name="badge_colour_format",
            ),
            models.UniqueConstraint(
                fields=["organisation", "default_key"],
                condition=~Q(default_key=""),
                name="badge_default_once",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "enabled"])]

    def __str__(self) -> str:
        return self.name


class RoleTally(models.Model):
    """The sessions one person held in one role in one program, kept up to date.

    ``sessions_completed`` counts completed sessions; ``sessions_counting`` those of them
    somebody gave feedback on. A person who is mentor and mentee in one program has two rows.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Participant.Role.choices)
    sessions_completed = models.PositiveIntegerField(default=0)
    sessions_counting = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "user", "role"], name="role_tally_unique"),
            models.CheckConstraint(
                condition=Q(sessions_counting__lte=models.F("sessions_completed")),
                name="role_tally_counting_within_completed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "role", "user"], name="role_tally_organisation_role"
            ),
        ]


class PartnerTally(models.Model):
    """The sessions one person held with one other person in one program, kept up to date.

    A 1:1 session gives each of its two members one row's worth; a group session gives
    every attendee one for each other attendee.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sessions_completed = models.PositiveIntegerField(default=0)
    sessions_counting = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user", "partner"], name="partner_tally_unique"
            ),
            models.CheckConstraint(
                condition=Q(sessions_counting__lte=models.F("sessions_completed")),
                name="partner_tally_counting_within_completed",
            ),
            models.CheckConstraint(
                condition=~Q(user=models.F("partner")), name="partner_tally_not_self"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "user", "partner"], name="partner_tally_organisation"
            ),
        ]


class IssuedBadge(models.Model):
    """A badge as it was awarded. Everything shown on it is frozen here."""

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic")
        MANUAL = "manual", _("Manual")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    # Awards are written tens of thousands at a time (enabling a badge), so the table keeps
    # only the indexes and foreign keys something needs: the unique ``(badge, user)`` serves
    # every lookup by badge (a badge's holders, its counts, who holds it already), the
    # ``user`` index a person's badges (in one organisation through the badge: an award is
    # in its badge's organisation, so it has no column of its own to write and check), and
    # a unique constraint on ``public_id`` spares PostgreSQL the pattern index that
    # ``unique=True`` adds to a CharField.
    public_id = models.CharField(max_length=32)
    badge = models.ForeignKey(
        BadgeDefinition, on_delete=models.PROTECT, related_name="issued", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="badges"
    )
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.AUTOMATIC)
    issued_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    revocation_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    # Whether the public page shows the reason; the organisation always sees it.
    revocation_reason_public = models.BooleanField(default=False)
    is_public = models.BooleanField(default=True)

    # The frozen copy, as it was at award time.
    recipient_name = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    image = models.CharField(max_length=200, blank=True)
    colour = models.CharField(max_length=7)
    organisation_name = models.CharField(max_length=200)
    logo = models.CharField(max_length=200, blank=True)
    rule = models.CharField(max_length=20, choices=BadgeDefinition.Rule.choices)
    role = models.CharField(max_length=10, blank=True)
    threshold = models.PositiveIntegerField()
    feedback_required = models.BooleanField(default=False)
    program_kinds = models.JSONField(default=list)

    class Meta:
        constraints = [
            # One badge per person and definition: concurrent awards collapse into one.
            models.UniqueConstraint(fields=["badge", "user"], name="issued_badge_once"),
            models.UniqueConstraint(fields=["public_id"], name="issued_badge_public_id_unique"),
            models.CheckConstraint(
                condition=(Q(status="valid") & Q(revoked_at__isnull=True))
                | (Q(status="revoked") & Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="issued_badge_revocation_has_reason",
            ),
        ]
        indexes = [
            # Revoked awards are few: each badge's count of them, beside its count of all
            # awards from the unique ``(badge, user)`` index.
            models.Index(
                fields=["badge"],
                condition=Q(status="revoked"),
                name="issued_badge_revoked",
            ),
            # Only revoked awards name who revoked them.
            models.Index(
                fields=["revoked_by"],
                condition=Q(revoked_by__isnull=False),
                name="issued_badge_revoked_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.recipient_name}"


class BadgeAuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "badge.created", _("Badge created")
        ENABLED = "badge.enabled", _("Badge enabled")
        DISABLED = "badge.disabled", _("Badge disabled")
        EDITED = "badge.edited", _("Badge edited")
        RULE_CHANGED = "badge.rule_changed", _("Badge rule changed")
        REVOKED = "badge_award.revoked", _("Badge revoked")
        REINSTATED = "badge_award.reinstated", _("Badge reinstated")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How the change was made when no person made it by hand, e.g. an API token.
    via = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    badge = models.ForeignKey(
        BadgeDefinition, null=True, on_delete=models.SET_NULL, related_name="audit"
    )
    award = models.ForeignKey(
        IssuedBadge, null=True, on_delete=models.SET_NULL, related_name="audit"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "badge audit entries"
