"""Who may open a console page: the admins of the program's organisation, nobody else."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from laurel.accounts.models import User
from laurel.certificates.models import CertificateDefinition
from laurel.programs.models import Pairing, Program
from laurel.programs.selectors import pairing_administered_by, program_administered_by


def administered_program(request: HttpRequest, program_id: int) -> Program:
    """The program if the signed-in person administers it; otherwise a 404, the same for
    another organisation's program as for one that does not exist."""
    assert isinstance(request.user, User)
    program = program_administered_by(program_id=program_id, user_id=request.user.pk)
    if program is None:
        raise Http404("No such program.")
    return program


def administered_pairing(request: HttpRequest, pairing_id: int) -> Pairing:
    """The pairing if the signed-in person administers its program; otherwise a 404."""
    assert isinstance(request.user, User)
    pairing = pairing_administered_by(pairing_id=pairing_id, user_id=request.user.pk)
    if pairing is None:
        raise Http404("No such pairing.")
    return pairing


def program_certificate(program: Program, certificate_id: int) -> CertificateDefinition:
    definition = (
        CertificateDefinition.objects.filter(program=program, pk=certificate_id)
        .select_related("program__organisation")
        .first()
    )
    if definition is None:
        raise Http404("No such certificate.")
    return definition
