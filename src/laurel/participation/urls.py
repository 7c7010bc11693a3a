from django.urls import URLPattern, URLResolver, path

from laurel.participation import email_settings, views

app_name = "participation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("programs/<int:program_id>/sessions/", views.sessions, name="sessions"),
    path("pairings/<int:pairing_id>/sessions/", views.history, name="history"),
    path("pairings/<int:pairing_id>/schedule/", views.schedule, name="schedule"),
    path("sessions/<int:session_id>/complete/", views.complete, name="complete"),
    path("sessions/<int:session_id>/cancel/", views.cancel, name="cancel"),
    # The feedback reminder emails link here: keep the name and the session_id kwarg.
    path("sessions/<int:session_id>/feedback/", views.feedback, name="feedback"),
    path(
        "sessions/<int:session_id>/feedback/withdraw/",
        views.feedback_withdraw,
        name="feedback_withdraw",
    ),
    path("timezone/", views.choose_timezone, name="timezone"),
    path("settings/", email_settings.settings_page, name="settings"),
]
