from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "laurel.webhooks"
    label = "webhooks"
