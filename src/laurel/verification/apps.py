from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "laurel.verification"
    label = "verification"
    verbose_name = "Verification"
