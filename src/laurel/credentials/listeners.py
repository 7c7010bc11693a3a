"""Award changes that move a bit in a status list."""

from __future__ import annotations

from laurel.certificates.events import (
    AwardChange,
    AwardCorrected,
    AwardReinstated,
    AwardRevoked,
)
from laurel.certificates.models import IssuedCertificate
from laurel.credentials.services import status_set


def on_award_change(event: AwardChange) -> None:
    # Runs inside the transaction that revoked, reinstated or corrected the award.
    if isinstance(event, AwardRevoked):
        status_set(award=IssuedCertificate(pk=event.award_id), revoked=True)
    elif isinstance(event, AwardReinstated):
        status_set(award=IssuedCertificate(pk=event.award_id), revoked=False)
    elif isinstance(event, AwardCorrected):
        status_set(award=IssuedCertificate(pk=event.previous_award_id), revoked=True)
