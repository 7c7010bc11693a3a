"""Reads for the console pages."""

from __future__ import annotations

from laurel.programs.models import Organisation


def organisations_administered_by(*, user_id: int) -> list[Organisation]:
    """The organisations this person administers, by name."""
    return list(Organisation.objects.filter(admins__id=user_id).order_by("name", "pk"))
