"""Signing in and out. The pages are django-allauth's (``allauth.urls``, mounted beside
these); sign-in is wrapped in Laurel's wrong-password limits, which count per account and
per address in the database so that every process and machine counts together."""

from allauth.account import views as allauth_views
from django.urls import path

from laurel.accounts.signin import limit_sign_in

app_name = "accounts"

urlpatterns = [
    path("login/", limit_sign_in(allauth_views.login), name="login"),
    path("logout/", allauth_views.logout, name="logout"),
]
