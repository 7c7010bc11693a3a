"""Checks for text that people type, shared by every service that stores such text.

Text is stored exactly as given (and always rendered escaped); what is refused is what no
person means to type and what some databases cannot store: NUL and other control
characters, and text longer than its column.
"""

from __future__ import annotations

import re

from laurel.errors import InvalidInput

_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _refuse_broken_unicode(value: str, *, field: str, label: str) -> None:
    # A lone surrogate (from a bad decoder or hostile input) cannot be stored as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput.field(
            field, f"{label} contains characters that are not valid text; retype it."
        ) from None


def clean_line(
    value: object, *, field: str, label: str, max_length: int, required: bool = True
) -> str:
    """A one-line value such as a name: trimmed, no control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput.field(field, f"{label} must be text.")
    _refuse_broken_unicode(value, field=field, label=label)
    value = value.strip()
    if required and not value:
        raise InvalidInput.field(field, f"{label} is required.")
    if len(value) > max_length:
        raise InvalidInput.field(
            field, f"{label} is {len(value)} characters long; the limit is {max_length}."
        )
    if _CONTROL_IN_LINE.search(value):
        raise InvalidInput.field(
            field, f"{label} contains a control character (such as a tab or line break); remove it."
        )
    return value


def clean_text(
    value: object, *, field: str, label: str, max_length: int, required: bool = True
) -> str:
    """Several lines of text: trimmed, line breaks and tabs allowed, other controls refused."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput.field(field, f"{label} must be text.")
    _refuse_broken_unicode(value, field=field, label=label)
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise InvalidInput.field(field, f"{label} is required.")
    if len(value) > max_length:
        raise InvalidInput.field(
            field, f"{label} is {len(value)} characters long; the limit is {max_length}."
        )
    if _CONTROL_IN_TEXT.search(value):
        raise InvalidInput.field(field, f"{label} contains a control character; remove it.")
    return value


def clean_colour(value: object, *, field: str = "colour", label: str = "Colour") -> str:
    if not isinstance(value, str) or not _COLOUR.match(value.strip()):
        raise InvalidInput.field(
            field, f"{label} must look like #RRGGBB (for example #1F6FEB); got {value!r}."
        )
    return value.strip().upper()
