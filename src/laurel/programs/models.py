"""The mentorship record: organisations, programs, participants, pairings, sessions, feedback.

Certificates are computed from these rows. The invariants that matter to counting are
enforced by the database as well as by the services: one feedback per member per session,
only by a member of the session's pairing (a trigger), ratings 1-4, and completion is
final (a trigger).
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Length, Lower
from django.utils import timezone

from laurel.layouts import DEFAULT_LAYOUT, LAYOUTS

CharField.register_lookup(Length)

# The id a pairing or session has in the system it comes from (an API client's, a CSV
# file's): sending it again finds the same object instead of making a second one.
EXTERNAL_ID_MAX_LENGTH = 100

COLOUR_VALIDATOR = RegexValidator(
    r"^#[0-9A-Fa-f]{6}$", "Use a colour in the form #RRGGBB, for example #1F6FEB."
)


def _image_path(folder: str, filename: str) -> str:
    # A fresh name for every upload: issued certificates keep pointing at the image that
    # was current when they were awarded, so an upload must never overwrite a file.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{secrets.token_hex(16)}{suffix}"


def logo_upload_to(instance: models.Model, filename: str) -> str:
    return _image_path("logos", filename)


def banner_upload_to(instance: models.Model, filename: str) -> str:
    return _image_path("banners", filename)


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    logo = models.ImageField(upload_to=logo_upload_to, blank=True, max_length=200)
    accent_colour = models.CharField(max_length=7, default="#1F6FEB", validators=[COLOUR_VALIDATOR])
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="administered_organisations", blank=True
    )
    # The number in the organisation's LinkedIn page address (linkedin.com/company/12345):
    # "Add to profile" then names the organisation as LinkedIn knows it.
    linkedin_organisation_id = models.CharField(max_length=20, blank=True)
    # How the organisation's certificates are printed unless a certificate says otherwise.
    certificate_layout = models.CharField(
        max_length=20, choices=list(LAYOUTS.items()), default=DEFAULT_LAYOUT
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(accent_colour__startswith="#") & Q(accent_colour__length=7),
                name="organisation_accent_colour_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    class Kind(models.TextChoices):
        ONE_ON_ONE = "one_on_one", "1:1"
        DEVELOPMENT = "development", "Development"
        GROUP = "group", "Group"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    banner = models.ImageField(upload_to=banner_upload_to, blank=True, max_length=200)
    # Whether one person may be both a mentor and a mentee in this program.
    allow_both_roles = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["one_on_one", "development", "group"]),
                name="program_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A user in a program in one role. A user who is both mentor and mentee has two rows."""

    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user", "role"], name="participant_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["mentor", "mentee"]), name="participant_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "program"])]

    def __str__(self) -> str:
        return f"{self.user_id} as {self.role} in {self.program_id}"


class Pairing(models.Model):
    """The members who meet: two in a 1:1 program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairings")
    # Unique in the program: a retried API call or a second import of the same file finds
    # this pairing again. NULL, not "", for none: the API answers null for it.
    external_id = models.CharField(  # noqa: DJ001 - NULL is "no id"
        max_length=EXTERNAL_ID_MAX_LENGTH, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "external_id"],
                condition=Q(external_id__isnull=False),
                name="pairing_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Pairing {self.pk}"


class PairingMember(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="memberships"
    )
    # The participant's user, kept here so that counting groups by person without a join
    # and so that the same person cannot sit on both sides of one pairing.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairing_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "participant"], name="member_unique"),
            models.UniqueConstraint(fields=["pairing", "user"], name="member_user_unique"),
        ]
        indexes = [models.Index(fields=["user", "pairing"])]


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="sessions")
    # Unique in the pairing (the API's promise); the CSV import also keeps a file's session
    # ids apart across the program's pairings.
    external_id = models.CharField(  # noqa: DJ001 - NULL is "no id"
        max_length=EXTERNAL_ID_MAX_LENGTH, null=True, blank=True
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set by the first feedback and cleared when the last is deleted. Claiming it with a
    # conditional UPDATE is what lets two members give feedback at the same moment and the
    # session still count exactly once.
    first_feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "completed", "cancelled"]),
                name="session_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=24 * 60),
                name="session_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(status="completed") & Q(completed_at__isnull=False))
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="session_completed_at_matches_status",
            ),
            models.UniqueConstraint(
                fields=["pairing", "external_id"],
                condition=Q(external_id__isnull=False),
                name="session_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["pairing", "starts_at"]),
            # The CSV import looks sessions up by their ids across a program's pairings.
            models.Index(
                fields=["external_id"],
                condition=Q(external_id__isnull=False),
                name="session_external_id",
            ),
            models.Index(
                fields=["ends_at"],
                condition=Q(status="scheduled"),
                name="session_scheduled_ends_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} ({self.status})"


class Feedback(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="feedback_given")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="feedback_once_per_member"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=4), name="feedback_rating_range"
            ),
        ]
        indexes = [models.Index(fields=["author"])]


class Invitation(models.Model):
    """An invitation by email to administer an organisation or to join one of its programs
    in a role. Its link is signed and names the invitation and its current ``nonce``:
    sending it again makes a new nonce, so only the latest link works, and once followed
    (``accepted_at``) or revoked it works no more."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Administrator"
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    # Empty for an invitation to administer the organisation.
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["admin", "mentor", "mentee"]), name="invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=(Q(role="admin") & Q(program__isnull=True))
                | (Q(role__in=["mentor", "mentee"]) & Q(program__isnull=False)),
                name="invitation_program_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="invitation_email_lower"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email} as {self.role}"

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
