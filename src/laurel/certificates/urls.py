from django.urls import path

from laurel.certificates import views

app_name = "certificates"

urlpatterns = [
    path(
        "manage/programs/<int:program_id>/certificates/",
        views.program_certificates_moved,
        name="program_certificates",
    ),
]
