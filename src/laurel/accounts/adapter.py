"""How django-allauth fits Laurel: no sign-up, and every email it sends goes through the
outbox (``laurel.outbox``), like every other email."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest

from laurel.accounts.tasks import send_account_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation or are added by their organisation.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render the email now (its link or code is made for this request) and queue it;
        the worker sends it."""
        request = self.request
        message = self.render_mail(
            template_prefix, email, {"request": request, "email": email, **context}
        )
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (str(body) for body, kind in message.alternatives if kind == "text/html"), ""
            )
        text = str(message.body)
        if message.content_subtype == "html":
            text, html = "", text
        send_account_email.enqueue(
            to=list(message.to), subject=str(message.subject), secret_text=text, secret_html=html
        )
