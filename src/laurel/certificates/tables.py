"""Table names for the hand-written SQL of the counting rule and the award engine."""

from laurel.accounts.models import User
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.programs.models import (
    Feedback,
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
FEEDBACK = Feedback._meta.db_table
DEFINITION = CertificateDefinition._meta.db_table
PROGRESS = Progress._meta.db_table
ISSUED = IssuedCertificate._meta.db_table
