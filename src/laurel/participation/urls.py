from django.urls import URLPattern, URLResolver, path

from laurel.participation import views

app_name = "participation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", views.settings_page, name="settings"),
]
