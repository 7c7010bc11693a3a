"""The REST API, version 1: authentication, errors, idempotency and the request size limit.

The operations live in ``record.py`` (the mentorship record), ``certificates.py``
(certificates and awards) and ``badges.py`` (badges and their awards); every write there
calls the same service as the web UI.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from laurel.accounts.services import Limit, rate_limit_hit
from laurel.accounts.signin import client_address
from laurel.api import badges, certificates, record, verify, webhooks
from laurel.api.docs import VendoredSwagger
from laurel.api.models import IDEMPOTENCY_KEY_MAX_LENGTH, ApiToken, IdempotencyRecord
from laurel.api.problems import PROBLEM_CONTENT_TYPE, problem_response, validation_errors
from laurel.api.services import api_token_authenticate, api_token_record_use
from laurel.badges.services import BadgeConfirmationRequired
from laurel.certificates.services import ConfirmationRequired
from laurel.db_locks import unless_busy
from laurel.errors import Conflict, LaurelError, NotFound

MAX_BODY_BYTES = 1024 * 1024
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
_TOKEN_ATTRIBUTE = "_laurel_api_token"  # noqa: S105 - an attribute name
BAD_TOKEN_LIMIT = "api-bad-token"  # noqa: S105 - a limit's name
ORGANISATION_LIMIT = "api-organisation"


class RateLimited(Exception):
    def __init__(self, *, retry_after: int, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.detail = detail


def _authenticate(request: HttpRequest) -> ApiToken | RateLimited | None:
    header = request.headers.get("Authorization", "")
    scheme, _separator, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = api_token_authenticate(raw=raw.strip())
    if token is None:
        # A valid token from the same address (an integration behind the same NAT) still
        # works: only the guessing is slowed down.
        bad_tokens = Limit.named(BAD_TOKEN_LIMIT)
        counted = unless_busy(lambda: rate_limit_hit(limit=bad_tokens, key=client_address(request)))
        if counted is not None and not counted.allowed:
            return RateLimited(
                retry_after=counted.retry_after,
                detail=_(
                    "Too many requests with a wrong API token came from your address; try"
                    " again in %(seconds)s seconds with a valid token."
                )
                % {"seconds": counted.retry_after},
            )
        return None
    per_organisation = Limit.named(ORGANISATION_LIMIT)
    counted = unless_busy(
        lambda: rate_limit_hit(limit=per_organisation, key=str(token.organisation_id))
    )
    if counted is not None and not counted.allowed:
        return RateLimited(
            retry_after=counted.retry_after,
            detail=_(
                "Your organisation's API tokens made more than %(limit)s requests in"
                " %(period)s seconds; try again in %(seconds)s seconds."
            )
            % {
                "limit": per_organisation.max_hits,
                "period": per_organisation.period_seconds,
                "seconds": counted.retry_after,
            },
        )
    transaction.on_commit(lambda: api_token_record_use(token=token))
    return token


def _token(request: HttpRequest) -> ApiToken | None:
    """The request's token, looked up (and counted) once per request."""
    if not hasattr(request, _TOKEN_ATTRIBUTE):
        setattr(request, _TOKEN_ATTRIBUTE, _authenticate(request))
    token = getattr(request, _TOKEN_ATTRIBUTE)
    return token if isinstance(token, ApiToken) else None


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken | None:
        token = _token(request)
        limited = getattr(request, _TOKEN_ATTRIBUTE)
        if isinstance(limited, RateLimited):
            raise limited
        return token

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return _token(request)


class JsonObjectParser(Parser):
    """Request bodies are JSON objects; anything else is refused as unparseable."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


class LaurelApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
                if method == "post":
                    operation.setdefault("parameters", []).append(
                        {
                            "in": "header",
                            "name": "Idempotency-Key",
                            "required": False,
                            "description": (
                                "Send the same key again to repeat a request safely: the"
                                " first answer is returned again and nothing new is"
                                " created. Reusing a key for a different request is a 409."
                            ),
                            "schema": {
                                "type": "string",
                                "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
                                "pattern": IDEMPOTENCY_KEY_PATTERN,
                            },
                        }
                    )
        return schema


api = LaurelApi(
    title="Laurel API",
    version="1",
    description=(
        "Push the mentorship record into Laurel and read certificates and badges back."
        " Authenticate with `Authorization: Bearer <token>`; errors are"
        " `application/problem+json`."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    parser=JsonObjectParser(),
    docs=VendoredSwagger(),
)


# --- errors ---------------------------------------------------------------------------------

_PROBLEM_TYPES: list[tuple[type[LaurelError], str]] = [
    (ConfirmationRequired, "confirmation-required"),
    (BadgeConfirmationRequired, "confirmation-required"),
    (NotFound, "not-found"),
    (Conflict, "conflict"),
    (LaurelError, "invalid-input"),
]


@api.exception_handler(LaurelError)
def _laurel_error(request: HttpRequest, exc: LaurelError) -> HttpResponse:
    type_ = next(name for cls, name in _PROBLEM_TYPES if isinstance(exc, cls))
    extra = None
    if isinstance(exc, BadgeConfirmationRequired):
        extra = badges.confirmation_problem_extra(exc)
    elif isinstance(exc, ConfirmationRequired):
        extra = {
            "would_award": {
                "count": len(exc.would_award),
                "participants": [
                    {"id": str(q.participant_id), "name": q.name} for q in exc.would_award
                ],
            }
        }
    return problem_response(
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        type_=type_,
        errors=exc.errors,
        extra=extra,
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    return problem_response(
        status=422,
        title="Invalid input",
        type_="invalid-input",
        detail="Some fields are not valid: " + ", ".join(errors) + ".",
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        status=401,
        type_="unauthorised",
        detail="Send a valid API token in the header 'Authorization: Bearer <token>'.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="laurel"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.__cause__ is not None:
        # The body could not be parsed: report it like any other invalid field.
        message = "The request body is not valid JSON; send a JSON object."
        return problem_response(
            status=422,
            title="Invalid input",
            type_="invalid-input",
            detail=message,
            errors={"body": [message]},
        )
    return problem_response(status=exc.status_code, type_="http-error", detail=str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(status=404, type_="not-found", detail="Not found.")


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = problem_response(status=429, type_="rate-limited", detail=exc.detail)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django's middleware answers these, in debug as outside it: a busy database with a
    # 503, anything else as a logged 500 problem (laurel.middleware).
    raise exc


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _too_large()


def _too_large() -> HttpResponse:
    return problem_response(
        status=413,
        type_="payload-too-large",
        detail=f"The request body is larger than {MAX_BODY_BYTES} bytes; send less at once.",
    )


# --- request guard: size limit and idempotency ----------------------------------------------

Run = Callable[..., HttpResponse]


def _fingerprint(request: HttpRequest) -> str:
    body: bytes = request.body
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, ""):
        digest.update(part.encode() + b"\n")
    digest.update(canonical)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _idempotent(run: Run, request: HttpRequest, key: str, **kw: Any) -> HttpResponse:
    if (
        not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH
        or not key.isascii()
        or not key.isprintable()
        or " " in key
    ):
        message = (
            f"The Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII"
            " characters, for example a UUID."
        )
        return problem_response(
            status=422,
            title="Invalid input",
            type_="invalid-input",
            detail=message,
            errors={"Idempotency-Key": [message]},
        )
    token = _token(request)
    if token is None:
        return run(request, **kw)  # answers 401
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            # Claim the key first: a concurrent request with the same key waits here until
            # this transaction ends, then finds the answer and replays it.
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    organisation_id=token.organisation_id,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=102,
                    content_type="",
                    body=b"",
                )
        except IntegrityError:
            first = IdempotencyRecord.objects.get(organisation_id=token.organisation_id, key=key)
            if first.fingerprint != fingerprint:
                return problem_response(
                    status=409,
                    title="Idempotency key reused",
                    type_="idempotency-key-reused",
                    detail=(
                        "This Idempotency-Key was already used for a different request"
                        " (another method, path or body). Use a new key for a new request."
                    ),
                )
            return _replay(first)
        response = run(request, **kw)
        if response.status_code >= 500:
            # Nothing of a failed request is kept, so that a retry can succeed.
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "application/json")
        record.body = response.content
        record.save(update_fields=["status_code", "content_type", "body"])
    return response


def request_guard(run: Run) -> Run:
    @wraps(run)
    def guarded(request: HttpRequest, **kw: Any) -> HttpResponse:
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return _too_large()
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key is not None:
            return _idempotent(run, request, key, **kw)
        return run(request, **kw)

    return guarded


api.add_decorator(request_guard, mode="view")

api.add_router("", record.router)
api.add_router("", certificates.router)
api.add_router("", badges.router)
api.add_router("", webhooks.router)
api.add_router("", verify.router)
