from django.urls import URLPattern, URLResolver, path

from laurel.console import emails, pairings, people, views

app_name = "console"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path(
        "organisations/<int:organisation_id>/settings/",
        views.organisation_settings,
        name="organisation_settings",
    ),
    path(
        "organisations/<int:organisation_id>/invitations/",
        views.invitations,
        name="invitations",
    ),
    path(
        "invitations/<int:invitation_id>/resend/",
        views.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("programs/<int:program_id>/settings/", views.program_settings, name="program_settings"),
    path(
        "programs/<int:program_id>/people/<int:participant_id>/emails/",
        emails.participant_emails,
        name="participant_emails",
    ),
    path("programs/<int:program_id>/people/", people.participants, name="participants"),
    path(
        "programs/<int:program_id>/people/import/",
        people.participants_import_page,
        name="participants_import",
    ),
    path("programs/<int:program_id>/pairings/", pairings.pairings, name="pairings"),
    path("pairings/<int:pairing_id>/", pairings.pairing, name="pairing"),
]
