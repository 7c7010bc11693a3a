"""Private keys at rest, sealed with the key(s) from the environment (Fernet: AES-128-CBC
with HMAC-SHA256). The first of ``settings.CREDENTIAL_KEYS`` seals; every one unseals, so
the environment key can be replaced without losing the organisations' signing keys."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in settings.CREDENTIAL_KEYS])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "LAUREL_CREDENTIAL_KEY must be one or more Fernet keys (32 url-safe base64"
            " bytes each, comma-separated)."
        ) from None


def seal(private_key: Ed25519PrivateKey) -> bytes:
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _fernet().encrypt(raw)


def unseal(sealed: bytes) -> Ed25519PrivateKey:
    try:
        raw = _fernet().decrypt(bytes(sealed))
    except InvalidToken:
        raise ImproperlyConfigured(
            "A signing key cannot be unsealed with LAUREL_CREDENTIAL_KEY: the key it was"
            " sealed with is missing from the list."
        ) from None
    return Ed25519PrivateKey.from_private_bytes(raw)
