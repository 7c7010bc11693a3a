"""Multibase and Multikey encodings used by Data Integrity proofs and DID documents."""

from __future__ import annotations

import base64

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(_ALPHABET)}
# The multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint).
_ED25519_PUB = b"\xed\x01"


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    while number:
        number, rest = divmod(number, 58)
        chars.append(_ALPHABET[rest])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(chars))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"{char!r} is not a base58 character")
        number = number * 58 + _INDEX[char]
    leading_ones = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_ones + body


def multibase_decode(value: str) -> bytes:
    """Decode ``z`` (base58btc) and ``u`` (base64url) multibase strings."""
    if value.startswith("z"):
        return base58btc_decode(value[1:])
    if value.startswith("u"):
        body = value[1:]
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    raise ValueError("unsupported multibase prefix")


def base64url_multibase(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def ed25519_multikey(public_key: bytes) -> str:
    return "z" + base58btc_encode(_ED25519_PUB + public_key)


def ed25519_from_multikey(value: str) -> bytes:
    raw = multibase_decode(value)
    if not raw.startswith(_ED25519_PUB) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return raw[2:]
