from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "laurel.credentials"
    label = "credentials"

    def ready(self) -> None:
        from laurel.badges.events import badge_changes
        from laurel.certificates.events import award_changes
        from laurel.credentials.badge_listeners import on_badge_change
        from laurel.credentials.listeners import on_award_change

        award_changes.listen(on_award_change)
        badge_changes.listen(on_badge_change)
