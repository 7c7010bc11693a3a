from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "laurel.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from laurel.certificates.events import award_changes
        from laurel.webhooks.listeners import on_award_change

        award_changes.listen(on_award_change)
