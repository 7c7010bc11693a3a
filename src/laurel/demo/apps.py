from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "laurel.demo"
    label = "demo"
    verbose_name = "Demo organisation"
