from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "laurel.imports"
    label = "imports"
