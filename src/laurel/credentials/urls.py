from django.urls import path

from laurel.credentials import views

app_name = "credentials"

urlpatterns = [
    path("o/<slug:slug>/did.json", views.did_document, name="did_document"),
    path("o/<slug:slug>/status/<int:number>", views.status_list, name="status_list"),
    path("c/<str:public_id>/credential.json", views.credential, name="credential"),
    path("b/<str:public_id>/credential.json", views.badge_credential, name="badge_credential"),
    path("verify", views.verify, name="verify"),
]
