"""``POST /api/v1/verify``: check any credential, no token needed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from laurel.credentials.verification import credential_verify

router = Router(tags=["Verification"])


class CheckOut(Schema):
    check: str
    ok: bool
    detail: str


class VerificationOut(Schema):
    verified: bool
    checks: list[CheckOut]


@router.post("/verify", auth=None, response=VerificationOut, summary="Verify a credential")
def verify(request: HttpRequest, credential: dict[str, Any]) -> dict[str, Any]:
    """Check an Open Badges 3.0 credential (the JSON object as the body): its signature,
    the issuer's key, its revocation status and its dates, each with a plain explanation."""
    result = credential_verify(credential)
    return {
        "verified": result.verified,
        "checks": [{"check": c.check, "ok": c.ok, "detail": c.detail} for c in result.checks],
    }
