from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "laurel.api"
    label = "api"
    verbose_name = "API"
