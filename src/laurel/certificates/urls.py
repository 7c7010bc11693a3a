from django.urls import path
from django.views.generic import RedirectView

app_name = "certificates"

urlpatterns = [
    # The program's report moved into the console; old links and bookmarks still arrive.
    path(
        "manage/programs/<int:program_id>/certificates/",
        RedirectView.as_view(pattern_name="console:reporting", permanent=True, query_string=True),
        name="program_certificates",
    ),
]
