"""Reads for the console pages."""

from __future__ import annotations

from laurel.programs.models import Invitation, Organisation


def organisations_administered_by(*, user_id: int) -> list[Organisation]:
    """The organisations this person administers, by name."""
    return list(Organisation.objects.filter(admins__id=user_id).order_by("name", "pk"))


def organisation_administered_by(*, organisation_id: int, user_id: int) -> Organisation | None:
    """The organisation, if this person administers it; otherwise None (another
    organisation's and one that does not exist look the same)."""
    return Organisation.objects.filter(pk=organisation_id, admins__id=user_id).first()


def invitation_administered_by(*, invitation_id: int, user_id: int) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation")
        .filter(pk=invitation_id, organisation__admins__id=user_id)
        .first()
    )


PENDING_SHOWN = 500


def invitations_pending(*, organisation: Organisation) -> list[Invitation]:
    """The invitations not yet accepted nor withdrawn (expired ones too: they can be sent
    again), newest first, at most PENDING_SHOWN."""
    return list(
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("program", "invited_by")
        .order_by("-sent_at", "-pk")[:PENDING_SHOWN]
    )
