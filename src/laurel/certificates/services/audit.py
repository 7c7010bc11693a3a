"""The audit log: who changed what about certificates, when, and how."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from laurel.accounts.models import User
from laurel.certificates.models import AuditEntry, CertificateDefinition, IssuedCertificate
from laurel.programs.models import Program


def audit_record(
    *,
    action: str,
    program: Program,
    actor: User | None,
    now: datetime,
    definition: CertificateDefinition | None = None,
    award: IssuedCertificate | None = None,
    data: dict[str, Any] | None = None,
    via: str = "",
) -> None:
    AuditEntry.objects.create(
        organisation_id=program.organisation_id,
        program=program,
        actor=actor,
        via=via,
        action=action,
        definition=definition,
        award=award,
        data=data or {},
        created_at=now,
    )
