"""The mentorship record in Django admin: read-only, and scoped to the viewer's organisations.

Every change goes through the services, which keep progress and awards in step with the
record; an edit here would bypass them. Superusers see every organisation; anyone else
sees only the organisations they administer.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from laurel.programs.models import (
    Feedback,
    Invitation,
    Organisation,
    Pairing,
    PairingMember,
    Participant,
    Program,
    Session,
)


class RecordAdmin(admin.ModelAdmin):
    """Read-only and limited to the organisations the viewer administers."""

    # The path from this model to its organisation; empty for the organisation itself.
    organisation_path = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        admins = f"{self.organisation_path}__admins" if self.organisation_path else "admins"
        return queryset.filter(**{admins: request.user.pk})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


ONLY_RELATED = admin.RelatedOnlyFieldListFilter


@admin.register(Organisation)
class OrganisationAdmin(RecordAdmin):
    list_display = ("name", "slug", "accent_colour", "created_at")
    search_fields = ("name", "slug")
    exclude = ("admins",)


@admin.register(Program)
class ProgramAdmin(RecordAdmin):
    organisation_path = "organisation"
    list_display = ("name", "kind", "organisation", "created_at")
    list_filter = ("kind", ("organisation", ONLY_RELATED))
    list_select_related = ("organisation",)
    search_fields = ("name",)


@admin.register(Participant)
class ParticipantAdmin(RecordAdmin):
    organisation_path = "program__organisation"
    list_display = ("person", "email", "role", "program", "joined_at")
    list_filter = ("role", ("program", ONLY_RELATED))
    list_select_related = ("user", "program")
    search_fields = ("user__name", "user__email")

    @admin.display(ordering="user__name")
    def person(self, participant: Participant) -> str:
        return participant.user.name

    @admin.display(ordering="user__email")
    def email(self, participant: Participant) -> str:
        return participant.user.email


class PairingMemberInline(admin.TabularInline):
    model = PairingMember
    fields = ("participant", "user")
    readonly_fields = ("participant", "user")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Pairing)
class PairingAdmin(RecordAdmin):
    organisation_path = "program__organisation"
    list_display = ("__str__", "program", "created_at")
    list_filter = (("program", ONLY_RELATED),)
    list_select_related = ("program",)
    inlines = (PairingMemberInline,)


@admin.register(Session)
class SessionAdmin(RecordAdmin):
    organisation_path = "pairing__program__organisation"
    list_display = ("__str__", "program", "starts_at", "duration_minutes", "status", "has_feedback")
    list_filter = ("status", ("pairing__program", ONLY_RELATED))
    list_select_related = ("pairing__program",)
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)

    @admin.display(ordering="pairing__program__name")
    def program(self, session: Session) -> str:
        return session.pairing.program.name

    @admin.display(boolean=True, description="Feedback")
    def has_feedback(self, session: Session) -> bool:
        return session.first_feedback_at is not None


@admin.register(Feedback)
class FeedbackAdmin(RecordAdmin):
    organisation_path = "session__pairing__program__organisation"
    list_display = ("session", "author_name", "rating", "created_at")
    list_filter = ("rating",)
    list_select_related = ("session", "author__user")
    search_fields = ("author__user__name", "comment")
    ordering = ("-created_at",)

    @admin.display(ordering="author__user__name", description="Author")
    def author_name(self, feedback: Feedback) -> str:
        return feedback.author.user.name


@admin.register(Invitation)
class InvitationAdmin(RecordAdmin):
    organisation_path = "organisation"
    list_display = ("email", "role", "organisation", "program", "sent_at", "expires_at",
                     "accepted_at", "revoked_at")  # fmt: skip
    list_filter = ("role",)
    list_select_related = ("organisation", "program")
    search_fields = ("email", "name")
    # Not the nonce: with the site's key it would make the link.
    fields = (
        "organisation", "program", "role", "email", "name", "invited_by", "created_at",
        "sent_at", "expires_at", "accepted_at", "accepted_by", "revoked_at",
    )  # fmt: skip
