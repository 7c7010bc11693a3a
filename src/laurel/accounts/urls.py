from django.contrib.auth import views as auth_views
from django.urls import path

from laurel.accounts.forms import EmailAuthenticationForm
from laurel.accounts.signin import limit_sign_in

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        limit_sign_in(
            auth_views.LoginView.as_view(
                authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
