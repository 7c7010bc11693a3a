"""The unsubscribe link of an email: no sign-in, the link's signed token says who and
which kind of email.

GET shows what the link will do and a button; only a POST switches the emails off, so
that a mail scanner that follows links does not unsubscribe anyone. The POST needs no
CSRF token or cookie: RFC 8058's one-click unsubscribe is a POST from the mailbox
provider's servers, and the token alone is the authority.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from laurel.notifications.models import EmailKind, EmailOptOut
from laurel.notifications.services import email_unsubscribe, unsubscribe_token_read


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_token_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    user_id, kind = found
    context = {
        "kind": kind,
        "kind_label": EmailKind(kind).label,
        "is_reminder": kind == EmailKind.REMINDER,
        "is_badge": kind == EmailKind.BADGE,
        "settings_url": reverse("participation:settings"),
    }
    if request.method == "POST":
        email_unsubscribe(user_id=user_id, kind=kind, via=EmailOptOut.Via.LINK, now=timezone.now())
        return render(request, "notifications/unsubscribed.html", context)
    return render(request, "notifications/unsubscribe.html", context)
