from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "laurel.accounts"
    label = "accounts"

    def ready(self) -> None:
        from laurel.accounts.services import rate_limits_prune
        from laurel.outbox.periodic import periodic_job_register

        periodic_job_register(
            "prune rate limits", lambda now: rate_limits_prune(now=now.timestamp())
        )
