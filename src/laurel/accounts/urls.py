"""Signing in and out. The pages are django-allauth's (``allauth.urls``, mounted beside
these); sign-in is wrapped in Laurel's wrong-password limits, which count per account and
per address in the database so that every process and machine counts together."""

from allauth.account import views as allauth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from laurel.accounts.signin import limit_sign_in

app_name = "accounts"


def email_addresses_managed_by_the_organisation(request: HttpRequest) -> HttpResponse:
    """django-allauth's page for adding and changing one's addresses, switched off: an
    organisation knows its people by their address (its API and CSV files name them so),
    so a person's address changes only with their organisation."""
    raise Http404("Email addresses are managed by your organisation.")


urlpatterns = [
    path("login/", limit_sign_in(allauth_views.login), name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("email/", email_addresses_managed_by_the_organisation, name="email"),
]
