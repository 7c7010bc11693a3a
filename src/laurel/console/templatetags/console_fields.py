"""A form field's widget that says whether it is in error and where its message is, so that
a screen reader announces the message with the field."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def error_id(field: BoundField) -> str:
    return f"{field.auto_id}_error"


@register.filter
def widget(field: BoundField, described_by: str = "") -> SafeString:
    """The field's widget, with ``aria-invalid`` and ``aria-describedby`` (its error, and
    ``described_by``, the id of a hint) as they apply."""
    attrs: dict[str, str | bool] = {}
    described = [described_by] if described_by else []
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(error_id(field))
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
