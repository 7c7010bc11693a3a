from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "laurel.certificates"
    label = "certificates"

    def ready(self) -> None:
        from laurel.certificates.listeners import on_record_change
        from laurel.programs.events import record_changes

        record_changes.listen(on_record_change)
