"""Merge fields in certificate text, such as ``{recipient_name}``.

Text is split into literal parts and fields once, and every value is substituted in a
single pass, so a value that itself looks like a merge field (a person called
"{date}") is printed literally.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

FIELDS: dict[str, str] = {
    "recipient_name": "Ada Lovelace",
    "program_name": "Engineering Mentorship 2026",
    "sessions_required": "6",
    "organisation_name": "Northwind",
    "date": "29 November 2026",
}

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Token:
    literal: str | None = None
    field: str | None = None


def parse(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for match in _FIELD.finditer(text):
        name = match.group(1)
        if name not in FIELDS:
            continue
        if match.start() > position:
            tokens.append(Token(literal=text[position : match.start()]))
        tokens.append(Token(field=name))
        position = match.end()
    if position < len(text):
        tokens.append(Token(literal=text[position:]))
    return tokens


def unknown_fields(text: str) -> list[str]:
    return sorted({m.group(1) for m in _FIELD.finditer(text) if m.group(1) not in FIELDS})


def render(text: str, values: Mapping[str, str]) -> str:
    return "".join(
        token.literal if token.literal is not None else values[token.field or ""]
        for token in parse(text)
    )


def split_on_recipient(text: str, values: Mapping[str, str]) -> list[str]:
    """The text with every field but the recipient's name filled in, cut at that name.

    ``len(result) - 1`` names go between the parts; the award engine joins them in SQL.
    """
    parts = [""]
    for token in parse(text):
        if token.field == "recipient_name":
            parts.append("")
        elif token.literal is not None:
            parts[-1] += token.literal
        else:
            parts[-1] += values[token.field or ""]
    return parts


def format_date(value: object) -> str:
    return f"{value:%-d %B %Y}"


def values_for(
    *,
    recipient_name: str,
    program_name: str,
    organisation_name: str,
    sessions_required: int | None,
    issued_at: object,
) -> dict[str, str]:
    """The value of every merge field for one certificate."""
    return {
        "recipient_name": recipient_name,
        "program_name": program_name,
        "organisation_name": organisation_name,
        "sessions_required": str(sessions_required or ""),
        "date": format_date(issued_at),
    }
