from django.urls import URLPattern, URLResolver, path

from laurel.console import views

app_name = "console"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programs/<int:program_id>/people/<int:participant_id>/emails/",
        views.participant_emails,
        name="participant_emails",
    ),
]
