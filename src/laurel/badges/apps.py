from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "laurel.badges"
    label = "badges"
