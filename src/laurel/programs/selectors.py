"""Reads of the mentorship record, as organisation admins see it."""

from __future__ import annotations

from laurel.programs.models import Program


def program_administered_by(*, program_id: int, user_id: int) -> Program | None:
    """The program, if this person administers its organisation; otherwise None.

    Another organisation's program and a program that does not exist look the same.
    """
    return (
        Program.objects.select_related("organisation")
        .filter(pk=program_id, organisation__admins__id=user_id)
        .first()
    )
