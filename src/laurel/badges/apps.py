from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "laurel.badges"
    label = "badges"

    def ready(self) -> None:
        from laurel.badges.listeners import on_record_change
        from laurel.programs.events import record_changes

        record_changes.listen(on_record_change)
