"""Writes for certificates, one module per idea:

- ``progress``: each person's progress, kept up to date and rebuilt from the record;
- ``awarding``: the award engine (set-based INSERTs from progress);
- ``definitions``: creating, enabling, disabling and editing certificates;
- ``awards``: manual awards, revocation, reinstatement and correction of issued
  certificates;
- ``audit``: the audit log they all write.
"""

from laurel.certificates.services.awarding import awards_after_record_change, awards_grant
from laurel.certificates.services.awards import (
    ManualAwardResult,
    award_correct,
    award_reinstate,
    award_revoke,
    certificate_award,
)
from laurel.certificates.services.definitions import (
    MAX_THRESHOLD,
    ConfirmationRequired,
    EnableResult,
    RuleInput,
    certificate_create,
    certificate_disable,
    certificate_enable,
    certificate_update,
)
from laurel.certificates.services.progress import progress_ensure, progress_rebuild, progress_shift

__all__ = [
    "MAX_THRESHOLD",
    "ConfirmationRequired",
    "EnableResult",
    "ManualAwardResult",
    "RuleInput",
    "award_correct",
    "award_reinstate",
    "award_revoke",
    "awards_after_record_change",
    "awards_grant",
    "certificate_award",
    "certificate_create",
    "certificate_disable",
    "certificate_enable",
    "certificate_update",
    "progress_ensure",
    "progress_rebuild",
    "progress_shift",
]
