"""Badge changes that move a bit in a status list."""

from __future__ import annotations

from laurel.badges.events import BadgeChange, BadgeReinstated, BadgeRevoked
from laurel.credentials.services import badge_status_set


def on_badge_change(event: BadgeChange) -> None:
    # Runs inside the transaction that revoked or reinstated the badge.
    if isinstance(event, BadgeRevoked):
        badge_status_set(award_id=event.award_id, revoked=True)
    elif isinstance(event, BadgeReinstated):
        badge_status_set(award_id=event.award_id, revoked=False)
