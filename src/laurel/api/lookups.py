"""Objects by id, seen through the requesting token's organisation.

Another organisation's object answers exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Path

from laurel.api.models import ApiToken
from laurel.certificates.models import CertificateDefinition, IssuedCertificate
from laurel.errors import InvalidInput, NotFound
from laurel.programs.models import Pairing, Participant, Program, Session

M = TypeVar("M", bound=Model)
MAX_ID = 2**63 - 1

# An id in a path: any text up to this length; one that names nothing is a 404.
PathId = Annotated[str, Path(max_length=40, description="An object id.")]


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken)
    return token


def organisation_id(request: HttpRequest) -> int:
    return token_of(request).organisation_id


def via(request: HttpRequest) -> str:
    """How the audit log names a change made through the API: by its token."""
    return f"API token {token_of(request)}"


def parse_id(value: str) -> int | None:
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def ids_from(values: list[str], *, field: str) -> list[int]:
    ids = []
    for position, value in enumerate(values):
        number = parse_id(value)
        if number is None:
            raise InvalidInput.field(f"{field}.{position}", f"{value!r} is not an id.")
        ids.append(number)
    return ids


def one(queryset: QuerySet[M], raw_id: str, what: str) -> M:
    pk = parse_id(raw_id)
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound(f"There is no {what} with id {raw_id!r}.")
    return found


def program(request: HttpRequest, raw_id: str) -> Program:
    return one(
        Program.objects.select_related("organisation").filter(
            organisation_id=organisation_id(request)
        ),
        raw_id,
        "program",
    )


def participant(request: HttpRequest, raw_id: str) -> Participant:
    return one(
        Participant.objects.select_related("user", "program").filter(
            program__organisation_id=organisation_id(request)
        ),
        raw_id,
        "participant",
    )


def pairing(request: HttpRequest, raw_id: str) -> Pairing:
    return one(
        Pairing.objects.filter(program__organisation_id=organisation_id(request)),
        raw_id,
        "pairing",
    )


def session(request: HttpRequest, raw_id: str) -> Session:
    return one(
        Session.objects.filter(pairing__program__organisation_id=organisation_id(request)),
        raw_id,
        "session",
    )


def certificate(request: HttpRequest, raw_id: str) -> CertificateDefinition:
    return one(
        CertificateDefinition.objects.select_related("program__organisation").filter(
            program__organisation_id=organisation_id(request)
        ),
        raw_id,
        "certificate",
    )


def award(request: HttpRequest, raw_id: str) -> IssuedCertificate:
    return one(
        IssuedCertificate.objects.filter(program__organisation_id=organisation_id(request)),
        raw_id,
        "award",
    )
