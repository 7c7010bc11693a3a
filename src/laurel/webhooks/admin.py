from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from laurel.errors import LaurelError
from laurel.webhooks.models import WebhookDelivery, WebhookEndpoint
from laurel.webhooks.services import webhook_endpoint_create, webhook_url_clean


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ("organisation", "url", "description", "sends_awarded", "sends_revoked")

    def clean_url(self) -> str:
        try:
            return webhook_url_clean(self.cleaned_data.get("url"))
        except LaurelError as error:
            raise forms.ValidationError(error.detail) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "organisation", "sends_awarded", "sends_revoked", "is_active")
    list_filter = ("is_active",)
    readonly_fields = ("created_at",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The secret is shown once, when the endpoint is made (``response_add``), never after.
        fields = ["organisation", "url", "description", "sends_awarded", "sends_revoked"]
        return fields if obj is None else [*fields, "is_active", "created_at"]

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        messages.warning(
            request,
            _(
                "The endpoint's signing secret is %(secret)s. Copy it now into the receiver's"
                " configuration: it will not be shown again."
            )
            % {"secret": obj.secret},
        )
        return super().response_add(request, obj, post_url_continue)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new endpoint gets its secret from the service, like one made anywhere else.
        created = webhook_endpoint_create(
            organisation=obj.organisation,
            url=obj.url,
            description=obj.description,
            sends_awarded=obj.sends_awarded,
            sends_revoked=obj.sends_revoked,
        )
        obj.pk, obj.secret, obj.created_at = created.pk, created.secret, created.created_at


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "award", "status", "attempts", "next_attempt_at")
    list_filter = (("message__status", admin.ChoicesFieldListFilter), "event")
    list_select_related = ("message", "endpoint", "award")
    search_fields = ("event_id",)
    fields = readonly_fields = (
        "endpoint", "event", "award", "event_id", "payload", "status", "attempts",
        "next_attempt_at", "delivered_at", "created_at", "delivery_attempts",
    )  # fmt: skip

    @admin.display(description=_("Attempts and retries"))
    def delivery_attempts(self, delivery: WebhookDelivery) -> str:
        # Every attempt, of webhooks and emails alike, is kept by the outbox.
        url = reverse("admin:outbox_message_change", args=[delivery.message_id])
        return format_html(
            '<a href="{}">{}</a>', url, _("Outbox message %(id)s") % {"id": delivery.message_id}
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
