from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from laurel.api.models import ApiToken
from laurel.api.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "organisation", "created_at", "last_used_at", "revoked_at")
    list_filter = ("organisation",)
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A token is shown only once, when it is made: use `manage.py create_api_token`.
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token)
