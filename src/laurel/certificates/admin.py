"""Certificates in Django admin, read-only and scoped like the record (see programs.admin).

Issued certificates are immutable and every change to a definition is audit-logged by the
services, so nothing here writes.
"""

from __future__ import annotations

from django.contrib import admin

from laurel.certificates.models import (
    AuditEntry,
    CertificateDefinition,
    IssuedCertificate,
    Progress,
)
from laurel.programs.admin import ONLY_RELATED, RecordAdmin


@admin.register(CertificateDefinition)
class CertificateDefinitionAdmin(RecordAdmin):
    organisation_path = "program__organisation"
    list_display = ("name", "program", "rule", "threshold", "enabled", "enabled_at")
    list_filter = ("enabled", "rule", ("program", ONLY_RELATED))
    list_select_related = ("program",)
    search_fields = ("name",)


@admin.register(Progress)
class ProgressAdmin(RecordAdmin):
    organisation_path = "program__organisation"
    list_display = ("person", "program", "sessions_completed", "sessions_counting")
    list_filter = (("program", ONLY_RELATED),)
    list_select_related = ("user", "program")
    search_fields = ("user__name", "user__email")
    ordering = ("program", "user__name")

    @admin.display(ordering="user__name")
    def person(self, progress: Progress) -> str:
        return progress.user.name


@admin.register(IssuedCertificate)
class IssuedCertificateAdmin(RecordAdmin):
    organisation_path = "program__organisation"
    list_display = (
        "name",
        "recipient_name",
        "program",
        "issued_at",
        "method",
        "status",
        "version",
        "is_current",
    )
    list_filter = ("status", "method", "is_current", ("program", ONLY_RELATED))
    list_select_related = ("program",)
    search_fields = ("recipient_name", "name", "public_id")
    ordering = ("-issued_at",)


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    organisation_path = "organisation"
    list_display = ("created_at", "action", "program", "actor", "via", "definition")
    list_filter = ("action", ("program", ONLY_RELATED))
    list_select_related = ("program", "actor", "definition")
