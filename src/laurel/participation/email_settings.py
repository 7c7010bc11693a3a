"""A participant's email settings: which kinds of email they want."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from laurel.accounts.models import User
from laurel.notifications.models import EmailKind
from laurel.notifications.selectors import email_preferences
from laurel.notifications.services import email_preferences_set


class EmailPreferencesForm(forms.Form):
    award = forms.BooleanField(
        required=False,
        label=gettext_lazy("When I am awarded a certificate"),
        help_text=gettext_lazy("With the certificate, its link and ways to share it."),
    )
    badge = forms.BooleanField(
        required=False,
        label=gettext_lazy("When I earn a badge"),
        help_text=gettext_lazy("With the badge, its link and ways to share it."),
    )
    reminder = forms.BooleanField(
        required=False,
        label=gettext_lazy("When my completed sessions are waiting for feedback"),
        help_text=gettext_lazy(
            "At most once a week, and never twice about the same session. Feedback from"
            " either of you makes a session count towards your certificate."
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Which emails the signed-in person receives."""
    assert isinstance(request.user, User)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            email_preferences_set(
                user=request.user,
                receive={kind: form.cleaned_data[kind] for kind in EmailKind.values},
                now=timezone.now(),
            )
            messages.success(request, _("Your email settings are saved."))
            return redirect("participation:settings")
    else:
        form = EmailPreferencesForm(initial=email_preferences(user_id=request.user.pk))
    return render(request, "participation/settings.html", {"form": form})
