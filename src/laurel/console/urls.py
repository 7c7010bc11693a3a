from django.urls import URLPattern, URLResolver, path

from laurel.console import views

app_name = "console"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
]
