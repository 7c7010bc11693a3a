from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "laurel.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
