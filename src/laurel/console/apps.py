from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "laurel.console"
    label = "console"
    verbose_name = "Admin console"
