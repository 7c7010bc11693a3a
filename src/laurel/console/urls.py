from django.urls import URLPattern, URLResolver, path

from laurel.console import views

app_name = "console"

urlpatterns: list[URLPattern | URLResolver] = [
    path("programs/<int:program_id>/track/", views.track, name="track"),
    path("programs/<int:program_id>/track/award/", views.track_award, name="track_award"),
    path("awards/<int:award_id>/", views.award, name="award"),
    path("awards/<int:award_id>/revoke/", views.award_revoke, name="award_revoke"),
    path("awards/<int:award_id>/reinstate/", views.award_reinstate, name="award_reinstate"),
    path("awards/<int:award_id>/correct/", views.award_correct, name="award_correct"),
]
