from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    """Log in by email address, however it is capitalised.

    Addresses are stored in lower case (one address is one person), so the typed address
    is lowered before it is looked up.
    """

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username") or "").strip().lower()
