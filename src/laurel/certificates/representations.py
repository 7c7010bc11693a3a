"""The public JSON shapes of certificates and awards: the API answers with them and webhook
payloads carry them, so an integration reads one shape wherever it meets an award."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from laurel.certificates.models import CertificateDefinition, IssuedCertificate


def certificate_out(definition: CertificateDefinition) -> dict[str, Any]:
    rule: dict[str, Any] = (
        {"type": definition.rule, "threshold": definition.threshold}
        if definition.is_automatic
        else {"type": definition.rule, "guidance": definition.guidance}
    )
    return {
        "id": str(definition.pk),
        "program_id": str(definition.program_id),
        "name": definition.name,
        "text": definition.text,
        "colour": definition.colour,
        "enabled": definition.enabled,
        "rule": rule,
    }


def award_out(award: IssuedCertificate) -> dict[str, Any]:
    return {
        "id": str(award.pk),
        "certificate_id": str(award.definition_id),
        "participant_id": str(award.participant_id),
        "recipient_name": award.recipient_name,
        "name": award.name,
        "text": award.text,
        "colour": award.colour,
        "issued_at": award.issued_at,
        "method": award.method,
        "status": award.status,
        "revocation_reason": award.revocation_reason,
        "revocation_reason_public": award.revocation_reason_public,
        "version": award.version,
        "public_url": f"{settings.SITE_URL}/c/{award.public_id}",
    }
