"""Which emails a person receives: switched off from an email's unsubscribe link (no
sign-in: the link carries a signed token) or from their settings page."""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db import transaction

from laurel.accounts.models import User
from laurel.errors import InvalidInput
from laurel.notifications.models import EmailKind, EmailOptOut

_TOKEN_SALT = "laurel.notifications.unsubscribe"  # noqa: S105 - a salt, not a secret


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """The token in an email's unsubscribe link: who, and which kind of email. It does not
    expire, as a link in an old email must still work."""
    return signing.Signer(salt=_TOKEN_SALT).sign_object([user_id, EmailKind(kind).value])


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """``(user id, kind)`` of a genuine token; None for anything else."""
    try:
        value = signing.Signer(salt=_TOKEN_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    match value:
        case [int() as user_id, str() as kind] if kind in EmailKind.values:
            return user_id, kind
    return None


def email_unsubscribe(*, user_id: int, kind: str, via: str, now: datetime) -> bool:
    """Switch one kind of email off for a person; True if it was on. Safe to repeat."""
    if kind not in EmailKind.values:
        raise InvalidInput.field("kind", f"There is no kind of email called {kind!r}.")
    if not User.objects.filter(pk=user_id).exists():
        return False
    was_on = not EmailOptOut.objects.filter(user_id=user_id, kind=kind).exists()
    # A second click, or the mail provider's one-click POST beside the person's own, is
    # the same request: the unique constraint keeps one row.
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user_id=user_id, kind=kind, via=via, created_at=now)],
        ignore_conflicts=True,
    )
    return was_on


def email_preferences_set(*, user: User, receive: dict[str, bool], now: datetime) -> None:
    """Set which kinds of email ``user`` receives (``{kind: True/False}``); kinds not named
    are left as they are."""
    unknown = set(receive) - set(EmailKind.values)
    if unknown:
        raise InvalidInput.field(
            "kind", f"There is no kind of email called {sorted(unknown)[0]!r}."
        )
    with transaction.atomic():
        EmailOptOut.objects.filter(
            user=user, kind__in=[kind for kind, on in receive.items() if on]
        ).delete()
        EmailOptOut.objects.bulk_create(
            [
                EmailOptOut(user=user, kind=kind, via=EmailOptOut.Via.SETTINGS, created_at=now)
                for kind, on in receive.items()
                if not on
            ],
            ignore_conflicts=True,
        )
