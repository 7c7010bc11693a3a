from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from laurel.accounts.signin import limit_sign_in
from laurel.api.v1 import api
from laurel.console.views import invitation_accept_view
from laurel.participation.home import home

urlpatterns = [
    path("", home, name="home"),
    # Laurel's sign-in (rate limited) before allauth's pages at the same prefix.
    path("accounts/", include("laurel.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("laurel.certificates.urls")),
    path("manage/", include("laurel.console.urls")),
    # An invitation's link, for people who may have no account yet.
    path("invitation/<str:token>/", invitation_accept_view, name="invitation_accept"),
    path("me/", include("laurel.participation.urls")),
    path("", include("laurel.verification.urls")),
    path("", include("laurel.notifications.urls")),
    # Before admin.site.urls, so that the admin's sign-in page is rate limited too.
    path("admin/login/", limit_sign_in(admin.site.login)),
    path("", include("laurel.credentials.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
# Uploaded logos and banners, served by Django only while developing (``static`` adds
# nothing when debug is off).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "laurel.middleware.server_error"
