from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "laurel.notifications"
    label = "notifications"

    def ready(self) -> None:
        from laurel.certificates.events import award_changes
        from laurel.notifications.listeners import on_award_change

        award_changes.listen(on_award_change)
