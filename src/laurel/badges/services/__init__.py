"""Writes for badges, one module per idea:

- ``tallies``: the kept tallies badges are earned from, moved by record changes and
  rebuilt from the record;
- ``awarding``: the badge engine (set-based INSERTs from the tallies);
- ``definitions``: the defaults, creating, editing, enabling and disabling badges;
- ``awards``: revoking and reinstating issued badges, and their recipients' visibility;
- ``audit``: the audit log they all write.
"""

from laurel.badges.rules import BadgeRule
from laurel.badges.services.awarding import badges_after_record_change, badges_grant
from laurel.badges.services.awards import (
    badge_award_reinstate,
    badge_award_revoke,
    badge_award_visibility,
)
from laurel.badges.services.definitions import (
    BadgeConfirmationRequired,
    BadgeEnableResult,
    BadgeUpdateResult,
    badge_create,
    badge_disable,
    badge_enable,
    badge_image_set,
    badge_update,
    badges_defaults_ensure,
)
from laurel.badges.services.tallies import badges_tallies_rebuild, tallies_ensure, tallies_shift

__all__ = [
    "BadgeConfirmationRequired",
    "BadgeEnableResult",
    "BadgeRule",
    "BadgeUpdateResult",
    "badge_award_reinstate",
    "badge_award_revoke",
    "badge_award_visibility",
    "badge_create",
    "badge_disable",
    "badge_enable",
    "badge_image_set",
    "badge_update",
    "badges_after_record_change",
    "badges_defaults_ensure",
    "badges_grant",
    "badges_tallies_rebuild",
    "tallies_ensure",
    "tallies_shift",
]
