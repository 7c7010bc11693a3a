from django.urls import URLPattern, URLResolver, path

from laurel.console import certificates, reporting

app_name = "console"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programs/<int:program_id>/content/certificates/",
        certificates.certificates,
        name="certificates",
    ),
    path(
        "programs/<int:program_id>/content/certificates/new/",
        certificates.certificate_new,
        name="certificate_new",
    ),
    path(
        "programs/<int:program_id>/content/certificates/preview.png",
        certificates.certificate_preview,
        name="certificate_preview",
    ),
    path(
        "programs/<int:program_id>/content/certificates/<int:certificate_id>/",
        certificates.certificate_edit,
        name="certificate_edit",
    ),
    path(
        "programs/<int:program_id>/content/certificates/<int:certificate_id>/confirm-change/",
        certificates.certificate_change_confirm,
        name="certificate_change_confirm",
    ),
    path(
        "programs/<int:program_id>/content/certificates/<int:certificate_id>/enable/",
        certificates.certificate_enable_confirm,
        name="certificate_enable",
    ),
    path(
        "programs/<int:program_id>/content/certificates/<int:certificate_id>/disable/",
        certificates.certificate_disable_view,
        name="certificate_disable",
    ),
    path("programs/<int:program_id>/reporting/", reporting.reporting, name="reporting"),
    path(
        "programs/<int:program_id>/reporting/export.csv",
        reporting.reporting_export,
        name="reporting_export",
    ),
]
