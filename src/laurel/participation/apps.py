from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "laurel.participation"
    label = "participation"
    verbose_name = "Participant pages"
