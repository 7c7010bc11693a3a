from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "laurel.programs"
    label = "programs"

    def ready(self) -> None:
        from laurel.outbox.periodic import periodic_job_register
        from laurel.programs.services import sessions_complete_elapsed

        periodic_job_register(
            "complete elapsed sessions", lambda now: sessions_complete_elapsed(now=now)
        )
