"""The one error type that services raise.

Views turn it into a message (web) or a problem response (API); the CLI prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class LaurelError(Exception):
    """A request that cannot be carried out, with a message a person can act on."""

    status = 422
    title = "The request cannot be carried out"

    def __init__(self, detail: str, *, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}


class InvalidInput(LaurelError):
    status = 422
    title = "Invalid input"

    @classmethod
    def field(cls, name: str, message: str) -> InvalidInput:
        return cls(message, errors={name: [message]})


class Conflict(LaurelError):
    status = 409
    title = "Conflict with the current state"


class NotFound(LaurelError):
    status = 404
    title = "Not found"
