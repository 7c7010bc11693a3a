"""What happened to issued certificates, for the apps that deliver the news (emails,
webhooks) to listen to. Announced inside the transaction that made the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from laurel.announcements import Announcer


@dataclass(frozen=True)
class AwardsIssued:
    """New certificates were awarded (all in one organisation). ``user_ids[i]`` is the
    recipient of ``award_ids[i]``."""

    award_ids: Sequence[int]
    organisation_id: int
    user_ids: Sequence[int] = ()


@dataclass(frozen=True)
class AwardRevoked:
    award_id: int
    organisation_id: int
    # 1 for the award's first revocation, 2 if it was reinstated and revoked again, ...
    occurrence: int = 1


@dataclass(frozen=True)
class AwardReinstated:
    """A revoked award is valid again (same id, same public id)."""

    award_id: int
    organisation_id: int


@dataclass(frozen=True)
class AwardCorrected:
    """``award_id`` is a new version that supersedes ``previous_award_id``."""

    award_id: int
    previous_award_id: int
    organisation_id: int


AwardChange = AwardsIssued | AwardRevoked | AwardReinstated | AwardCorrected

award_changes: Announcer[AwardChange] = Announcer("award changes")
