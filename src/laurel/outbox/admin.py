"""Every email, webhook delivery and other background message, with each of its attempts:
read-only, for staff."""

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from laurel.outbox.models import Attempt, Message, Schedule

SECRET_PREFIX = "secret_"  # noqa: S105 - a name prefix, not a secret


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: "(hidden)" if str(key).startswith(SECRET_PREFIX) else _without_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


class ReadOnlyForStaff(admin.ModelAdmin):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "number", "worker_id", "started_at", "finished_at", "succeeded", "error", "detail",
    )  # fmt: skip

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyForStaff):
    list_display = (
        "id", "task", "organisation_id", "status", "attempts", "run_after", "finished_at",
        "last_error",
    )  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("=id", "worker_id")
    ordering = ("-id",)
    fields = readonly_fields = (
        "kind", "shown_arguments", "organisation_id", "status", "attempts", "run_after",
        "lease_until", "worker_id", "created_at", "finished_at", "last_error",
    )  # fmt: skip
    inlines = [AttemptInline]

    @admin.display(description=_("arguments"))
    def shown_arguments(self, message: Message) -> str:
        """The task's arguments, less those named ``secret_…`` (the body of an email that
        signs someone in): staff see that it was sent, not how to use it."""
        return json.dumps(_without_secrets(message.arguments), indent=2, ensure_ascii=False)

    @admin.display(description=_("task"), ordering="kind")
    def task(self, message: Message) -> str:
        return message.kind.rsplit(".", 1)[-1]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyForStaff):
    list_display = ("name", "next_run_at", "last_started_at", "last_finished_at", "last_error")
    fields = readonly_fields = list_display
