"""What happened to issued badges, for the apps that deliver the news (emails, webhooks,
credentials) to listen to. Announced inside the transaction that made the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from laurel.announcements import Announcer


@dataclass(frozen=True)
class BadgesIssued:
    """New badges were awarded (all in one organisation). ``user_ids[i]`` is the recipient
    of ``award_ids[i]``."""

    award_ids: Sequence[int]
    organisation_id: int
    user_ids: Sequence[int] = ()


@dataclass(frozen=True)
class BadgeRevoked:
    award_id: int
    organisation_id: int
    # 1 for the badge's first revocation, 2 if it was reinstated and revoked again, ...
    occurrence: int = 1


@dataclass(frozen=True)
class BadgeReinstated:
    """A revoked badge is valid again (same id, same public id)."""

    award_id: int
    organisation_id: int


BadgeChange = BadgesIssued | BadgeRevoked | BadgeReinstated

badge_changes: Announcer[BadgeChange] = Announcer("badge changes")
