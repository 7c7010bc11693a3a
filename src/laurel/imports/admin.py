"""Imports in Django admin: where each run got to, read-only."""

from __future__ import annotations

from django.contrib import admin

from laurel.imports.models import ImportRun
from laurel.programs.admin import ONLY_RELATED, RecordAdmin


@admin.register(ImportRun)
class ImportRunAdmin(RecordAdmin):
    organisation_path = "program__organisation"
    list_display = (
        "started_at",
        "program",
        "kind",
        "state",
        "rows",
        "applied_through_line",
        "finished_at",
    )
    list_filter = ("state", "kind", ("program", ONLY_RELATED))
    list_select_related = ("program",)
    exclude = ("heartbeat_at",)
