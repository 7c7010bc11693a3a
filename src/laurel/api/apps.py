from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "laurel.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from laurel.api.services import idempotency_records_prune
        from laurel.outbox.periodic import periodic_job_register

        periodic_job_register(
            "prune idempotency records", lambda now: idempotency_records_prune(now=now)
        )
