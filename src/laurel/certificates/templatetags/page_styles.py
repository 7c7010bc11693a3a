"""Styles that depend on the data (a certificate's colour, how far a bar is filled) under a
Content-Security-Policy that forbids ``style`` attributes.

An element asks for a class with ``{% style_class "--seal" award.colour %}``; the rule
behind the class is collected for the request and written once, in a style block that
carries the page's nonce (``{% page_styles %}``, at the end of the page). Only values that
cannot break out of CSS are accepted: colours as ``#RRGGBB``, and numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
# The properties a page may set from data, and the kind of value each takes.
_PROPERTIES = {"--seal": "colour", "--banner": "colour", "width": "percent"}
_ATTRIBUTE = "laurel_page_styles"


def _value(kind: str, raw: object) -> str | None:
    if kind == "colour":
        text = str(raw)
        return text.lower() if _COLOUR.fullmatch(text) else None
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return f"{min(max(number, Decimal(0)), Decimal(100)):.2f}%"


@register.simple_tag(takes_context=True)
def style_class(context: template.Context, prop: str, raw: object) -> str:
    """The class that sets ``prop`` to ``raw`` on an element; empty if the value is not one
    it accepts (the element then keeps its stylesheet's default)."""
    kind = _PROPERTIES.get(prop)
    if kind is None:
        raise template.TemplateSyntaxError(f"style_class cannot set {prop!r}")
    value = _value(kind, raw)
    request = context.get("request")
    if value is None or request is None:
        return ""
    name = "dyn-" + re.sub(r"[^a-z0-9]+", "-", f"{prop}-{value}".lower()).strip("-")
    rules: dict[str, str] = request.__dict__.setdefault(_ATTRIBUTE, {})
    rules[name] = f".{name}{{{prop}:{value}}}"
    return name


@register.simple_tag(takes_context=True)
def page_styles(context: template.Context) -> SafeString | str:
    """The style block with every rule the page asked for, carrying the CSP nonce."""
    request = context.get("request")
    rules: dict[str, str] = getattr(request, _ATTRIBUTE, {}) if request is not None else {}
    if not rules:
        return ""
    return format_html(
        '<style nonce="{}">{}</style>',
        getattr(request, "csp_nonce", ""),
        SafeString("".join(rules.values())),
    )
