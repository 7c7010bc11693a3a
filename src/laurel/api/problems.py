"""Errors as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:laurel:problem:"


def problem_response(
    *,
    status: int,
    detail: str,
    type_: str,
    title: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = {field: list(messages) for field, messages in errors.items()}
    if extra:
        body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )


def field_name(loc: Sequence[object]) -> str:
    """A pydantic error location as the field name a client sent.

    ``("body", "payload", "rule", "threshold")`` is ``rule.threshold``; a list position
    is kept (``participant_ids.1``); the body as a whole is ``body``.
    """
    parts = list(loc)
    source = parts.pop(0) if parts else "body"
    if source == "body" and parts:
        parts.pop(0)  # the name of the view's body parameter
    if not parts:
        return "body" if source == "body" else str(source)
    return ".".join(str(part) for part in parts)


def field_message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not recognised; check its spelling, or leave it out.")
    if kind in {"int_type", "int_from_float"}:
        return _('Must be a whole number written as a JSON number (5, not "5" or true).')
    if kind == "bool_type":
        return _("Must be true or false.")
    if kind == "string_type":
        return _("Must be text (a JSON string).")
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return _("Use one of %(expected)s.") % {"expected": expected}
    message = str(error.get("msg", "Invalid value."))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message if message.endswith(".") else message + "."


def validation_errors(errors: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(field_name(error.get("loc", ())), []).append(field_message(error))
    return by_field
