"""Table names for the hand-written SQL of the tallies and the badge engine."""

from laurel.accounts.models import User
from laurel.badges.models import BadgeDefinition, IssuedBadge, PartnerTally, RoleTally
from laurel.programs.models import (
    Organisation,
    Pairing,
    PairingMember,
    Participant,
    Program,
    Session,
)

USER = User._meta.db_table
ORGANISATION = Organisation._meta.db_table
PROGRAM = Program._meta.db_table
PARTICIPANT = Participant._meta.db_table
PAIRING = Pairing._meta.db_table
MEMBER = PairingMember._meta.db_table
SESSION = Session._meta.db_table
BADGE = BadgeDefinition._meta.db_table
ROLE_TALLY = RoleTally._meta.db_table
PARTNER_TALLY = PartnerTally._meta.db_table
ISSUED = IssuedBadge._meta.db_table
