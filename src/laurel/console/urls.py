from django.urls import URLPattern, URLResolver, path

from laurel.console import pairings, people

app_name = "console"

urlpatterns: list[URLPattern | URLResolver] = [
    path("programs/<int:program_id>/people/", people.participants, name="participants"),
    path(
        "programs/<int:program_id>/people/import/",
        people.participants_import_page,
        name="participants_import",
    ),
    path("programs/<int:program_id>/pairings/", pairings.pairings, name="pairings"),
    path("pairings/<int:pairing_id>/", pairings.pairing, name="pairing"),
]
