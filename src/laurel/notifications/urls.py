from django.urls import path

from laurel.notifications import views

app_name = "notifications"

urlpatterns = [
    path("email/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
