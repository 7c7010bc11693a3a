"""``POST /api/v1/verify``: check any credential, no token needed."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from laurel.api.schemas import Problem
from laurel.credentials.verification import credential_verify
from laurel.errors import InvalidInput

router = Router(tags=["Verification"])


class CheckOut(Schema):
    check: str
    ok: bool
    detail: str


class VerificationOut(Schema):
    verified: bool
    checks: list[CheckOut]


@router.post(
    "/verify",
    auth=None,
    response={200: VerificationOut, 409: Problem, 413: Problem, 422: Problem},
    summary="Verify a credential",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The credential: an Open Badges 3.0 credential as a JSON object.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def verify(request: HttpRequest) -> dict[str, Any]:
    """Check an Open Badges 3.0 credential (the JSON object is the body): its signature,
    the issuer's key, its revocation status and its dates, each with a plain explanation."""
    try:
        credential = json.loads(request.body)
    except ValueError:
        credential = None
    if not isinstance(credential, dict):
        raise InvalidInput.field("body", "Send the credential as a JSON object.")
    result = credential_verify(credential)
    return {
        "verified": result.verified,
        "checks": [{"check": c.check, "ok": c.ok, "detail": c.detail} for c in result.checks],
    }
