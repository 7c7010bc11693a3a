from django.urls import URLPattern, URLResolver, path

from laurel.console import badges, certificates, emails, pairings, people, reporting, track, views

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
    path(
        "organisations/<int:organisation_id>/programs/new/",
        views.program_new,
        name="program_new",
    ),
    path("organisations/<int:organisation_id>/badges/", badges.badges, name="badges"),
    path("organisations/<int:organisation_id>/badges/new/", badges.badge_new, name="badge_new"),
    path("badges/<int:badge_id>/", badges.badge_edit, name="badge_edit"),
    path("badges/<int:badge_id>/image/", badges.badge_image, name="badge_image"),
    path(
        "badges/<int:badge_id>/confirm-change/",
        badges.badge_change_confirm,
        name="badge_change_confirm",
    ),
    path("badges/<int:badge_id>/enable/", badges.badge_enable_confirm, name="badge_enable"),
    path("badges/<int:badge_id>/disable/", badges.badge_disable_view, name="badge_disable"),
    path("badges/<int:badge_id>/holders/", badges.badge_holders, name="badge_holders"),
    path("badge-awards/<int:badge_award_id>/", badges.badge_award, name="badge_award"),
    path(
        "badge-awards/<int:badge_award_id>/revoke/",
        badges.badge_award_revoke_view,
        name="badge_award_revoke",
    ),
    path(
        "badge-awards/<int:badge_award_id>/reinstate/",
        badges.badge_award_reinstate_view,
        name="badge_award_reinstate",
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
    path("programs/<int:program_id>/track/", track.track, name="track"),
    path("programs/<int:program_id>/track/award/", track.track_award, name="track_award"),
    path("awards/<int:award_id>/", track.award, name="award"),
    path("awards/<int:award_id>/revoke/", track.award_revoke, name="award_revoke"),
    path("awards/<int:award_id>/reinstate/", track.award_reinstate, name="award_reinstate"),
    path("awards/<int:award_id>/correct/", track.award_correct, name="award_correct"),
]
