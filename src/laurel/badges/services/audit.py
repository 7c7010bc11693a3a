"""The audit log: who changed what about badges, when, and how."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from laurel.accounts.models import User
from laurel.badges.models import BadgeAuditEntry, BadgeDefinition, IssuedBadge


def badge_audit_record(
    *,
    action: str,
    organisation_id: int,
    actor: User | None,
    now: datetime,
    badge: BadgeDefinition | None = None,
    badge_id: int | None = None,
    award: IssuedBadge | None = None,
    data: dict[str, Any] | None = None,
    via: str = "",
) -> BadgeAuditEntry:
    return BadgeAuditEntry.objects.create(
        organisation_id=organisation_id,
        actor=actor,
        via=via,
        action=action,
        badge_id=badge.pk if badge is not None else badge_id,
        award=award,
        data=data or {},
        created_at=now,
    )
