"""Certificates, their progress reports, and awards over HTTP."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from laurel.api import lookups
from laurel.api.lookups import PathId
from laurel.api.pagination import decode_cursor, encode_cursor, paginate
from laurel.api.record import READ_ERRORS, WRITE_ERRORS, PageQuery
from laurel.api.schemas import (
    AwardIn,
    AwardOut,
    AwardPage,
    AwardResultOut,
    CertificateChangeOut,
    CertificateIn,
    CertificateOut,
    CertificatePage,
    CertificatePatch,
    ConfirmationProblem,
    ConfirmIn,
    CorrectIn,
    ParticipantCertificatesOut,
    ProgressPage,
    ReinstateIn,
    RevokeIn,
    RuleIn,
)
from laurel.certificates.models import CertificateDefinition, IssuedCertificate
from laurel.certificates.representations import award_out, certificate_out
from laurel.certificates.selectors import (
    earned_certificates,
    progress_rows,
    unearned_certificates,
)
from laurel.certificates.services import (
    RuleInput,
    award_correct,
    award_reinstate,
    award_revoke,
    certificate_award,
    certificate_create,
    certificate_disable,
    certificate_enable,
    certificate_update,
)
from laurel.errors import InvalidInput

router = Router(tags=["Certificates"])

CONFIRM_ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 409: ConfirmationProblem}


def _rule(rule: RuleIn) -> RuleInput:
    # A field of the other kind of rule would be dropped, and the client would never learn
    # that what it sent meant nothing: refuse it.
    if rule.type == "manual" and rule.threshold is not None:
        raise InvalidInput.field(
            "rule.threshold",
            _("A manual rule has no threshold; remove it, or use the type sessions_completed."),
        )
    if rule.type == "sessions_completed" and rule.guidance is not None:
        raise InvalidInput.field(
            "rule.guidance",
            _("A sessions_completed rule has no guidance; remove it, or use the type manual."),
        )
    return RuleInput(type=rule.type, threshold=rule.threshold, guidance=rule.guidance or "")


@router.post("/programs/{program_id}/certificates", response={201: CertificateOut, **WRITE_ERRORS})
def create_certificate(
    request: HttpRequest, program_id: PathId, payload: CertificateIn
) -> Status[dict[str, Any]]:
    """A new certificate, disabled until it is enabled.

    Group programs refuse certificates (422); development programs take only ``manual``
    rules (422 for ``sessions_completed``).
    """
    definition = certificate_create(
        program=lookups.program(request, program_id),
        by=None,
        via=lookups.via(request),
        name=payload.name,
        text=payload.text,
        colour=payload.colour,
        rule=_rule(payload.rule),
    )
    return Status(201, certificate_out(definition))


@router.get("/programs/{program_id}/certificates", response={200: CertificatePage, **READ_ERRORS})
def list_certificates(
    request: HttpRequest, program_id: PathId, page: Query[PageQuery]
) -> dict[str, Any]:
    program = lookups.program(request, program_id)
    found = paginate(
        CertificateDefinition.objects.filter(program=program),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {
        "items": [certificate_out(d) for d in found.items],
        "next_cursor": found.next_cursor,
    }


@router.get("/certificates/{certificate_id}", response={200: CertificateOut, **READ_ERRORS})
def get_certificate(request: HttpRequest, certificate_id: PathId) -> dict[str, Any]:
    return certificate_out(lookups.certificate(request, certificate_id))


@router.patch(
    "/certificates/{certificate_id}", response={200: CertificateChangeOut, **CONFIRM_ERRORS}
)
def update_certificate(
    request: HttpRequest, certificate_id: PathId, payload: CertificatePatch
) -> dict[str, Any]:
    """Edit the design or the rule. Issued certificates never change.

    A rule change of an enabled certificate that would award people at once needs
    ``"confirm": true``; without it the answer is a 409 listing who would be awarded.
    """
    changes: dict[str, Any] = {
        field: value
        for field in ("name", "text", "colour")
        if (value := getattr(payload, field)) is not None
    }
    if payload.rule is not None:
        changes["rule"] = _rule(payload.rule)
    result = certificate_update(
        definition=lookups.certificate(request, certificate_id),
        by=None,
        via=lookups.via(request),
        confirm=payload.confirm,
        **changes,
    )
    return {"certificate": certificate_out(result.definition), "awarded": result.awarded}


@router.post(
    "/certificates/{certificate_id}/enable",
    response={200: CertificateChangeOut, **CONFIRM_ERRORS},
)
def enable_certificate(
    request: HttpRequest, certificate_id: PathId, payload: ConfirmIn
) -> dict[str, Any]:
    """Enable a certificate, awarding it at once to everyone who already qualifies.

    With ``"confirm": false`` nothing changes: the answer is a 409 whose ``would_award``
    lists exactly who would be awarded. With ``"confirm": true`` the awards are
    committed before the answer.
    """
    result = certificate_enable(
        definition=lookups.certificate(request, certificate_id),
        by=None,
        via=lookups.via(request),
        confirm=payload.confirm,
    )
    return {"certificate": certificate_out(result.definition), "awarded": result.awarded}


@router.post(
    "/certificates/{certificate_id}/disable", response={200: CertificateOut, **WRITE_ERRORS}
)
def disable_certificate(request: HttpRequest, certificate_id: PathId) -> dict[str, Any]:
    """Stop awarding a certificate; those already earned stay valid."""
    definition = certificate_disable(
        definition=lookups.certificate(request, certificate_id), by=None, via=lookups.via(request)
    )
    return certificate_out(definition)


@router.get("/certificates/{certificate_id}/progress", response={200: ProgressPage, **READ_ERRORS})
def certificate_progress(
    request: HttpRequest, certificate_id: PathId, page: Query[PageQuery]
) -> dict[str, Any]:
    """Everyone in the program: sessions completed and counting, the completed sessions
    still waiting for feedback, and the award they hold, if any."""
    definition = lookups.certificate(request, certificate_id)
    rows = progress_rows(
        definition=definition, after_user_id=decode_cursor(page.cursor), limit=page.limit + 1
    )
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return {
        "items": [
            {
                "participant_id": str(row.participant_id),
                "name": row.name,
                "roles": row.roles,
                "sessions_completed": row.sessions_completed,
                "sessions_counting": row.sessions_counting,
                "sessions_missing_feedback": [str(s) for s in row.sessions_missing_feedback],
                "earned_award_id": None
                if row.earned_award_id is None
                else str(row.earned_award_id),
            }
            for row in rows
        ],
        "next_cursor": encode_cursor(rows[-1].user_id) if more and rows else None,
    }


@router.post(
    "/certificates/{certificate_id}/awards", response={200: AwardResultOut, **WRITE_ERRORS}
)
def award_certificate(
    request: HttpRequest, certificate_id: PathId, payload: AwardIn
) -> dict[str, Any]:
    """Award by hand (also allowed for automatic certificates). Holders are skipped."""
    result = certificate_award(
        definition=lookups.certificate(request, certificate_id),
        by=None,
        via=lookups.via(request),
        participant_ids=lookups.ids_from(payload.participant_ids, field="participant_ids"),
    )
    return {
        "awarded": [str(i) for i in result.awarded],
        "skipped": [str(i) for i in result.skipped],
    }


@router.get("/certificates/{certificate_id}/awards", response={200: AwardPage, **READ_ERRORS})
def list_awards(
    request: HttpRequest, certificate_id: PathId, page: Query[PageQuery]
) -> dict[str, Any]:
    """The certificate's awards (current versions), oldest first."""
    definition = lookups.certificate(request, certificate_id)
    found = paginate(
        IssuedCertificate.objects.filter(definition=definition, is_current=True),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [award_out(a) for a in found.items], "next_cursor": found.next_cursor}


@router.get("/awards/{award_id}", response={200: AwardOut, **READ_ERRORS}, tags=["Awards"])
def get_award(request: HttpRequest, award_id: PathId) -> dict[str, Any]:
    return award_out(lookups.award(request, award_id))


@router.post("/awards/{award_id}/revoke", response={200: AwardOut, **WRITE_ERRORS}, tags=["Awards"])
def revoke_award(request: HttpRequest, award_id: PathId, payload: RevokeIn) -> dict[str, Any]:
    """Revoke an issued certificate with a reason; its public page and credential then say
    so. The public page shows the reason only with ``"public_reason": true``."""
    return award_out(
        award_revoke(
            award=lookups.award(request, award_id),
            by=None,
            via=lookups.via(request),
            reason=payload.reason,
            public_reason=payload.public_reason,
        )
    )


@router.post(
    "/awards/{award_id}/reinstate", response={200: AwardOut, **WRITE_ERRORS}, tags=["Awards"]
)
def reinstate_award(request: HttpRequest, award_id: PathId, payload: ReinstateIn) -> dict[str, Any]:
    """Undo a revocation: the certificate is valid again under the same public id, and its
    credential's status is cleared. Only a revoked current version can be reinstated (409
    otherwise). No webhook event is sent."""
    return award_out(
        award_reinstate(
            award=lookups.award(request, award_id),
            by=None,
            via=lookups.via(request),
            reason=payload.reason,
        )
    )


@router.post(
    "/awards/{award_id}/correct", response={200: AwardOut, **WRITE_ERRORS}, tags=["Awards"]
)
def correct_award(request: HttpRequest, award_id: PathId, payload: CorrectIn) -> dict[str, Any]:
    """Correct the recipient's name and/or the text as a new version under the same public
    id (``version`` + 1). The answer is the new version; the old one is kept, superseded,
    and listed in the certificate's audit log. A revoked certificate is reinstated first
    (409 otherwise), and only the current version can be corrected."""
    if payload.recipient_name is None and payload.text is None:
        raise InvalidInput.field(
            "recipient_name", _("Send the corrected recipient_name, or text, or both.")
        )
    return award_out(
        award_correct(
            award=lookups.award(request, award_id),
            by=None,
            via=lookups.via(request),
            reason=payload.reason,
            recipient_name=payload.recipient_name,
            text=payload.text,
        )
    )


@router.get(
    "/participants/{participant_id}/certificates",
    response={200: ParticipantCertificatesOut, **READ_ERRORS},
    tags=["Awards"],
)
def participant_certificates(request: HttpRequest, participant_id: PathId) -> dict[str, Any]:
    """What this person has earned in the participant's program, and what they can still earn."""
    participant = lookups.participant(request, participant_id)
    earned = earned_certificates(program_id=participant.program_id, user_id=participant.user_id)
    unearned = unearned_certificates(program=participant.program, user_id=participant.user_id)
    return {
        "earned": [award_out(a) for a in earned],
        "unearned": [
            {
                "certificate_id": str(u.definition.pk),
                "name": u.definition.name,
                "guidance": u.definition.guidance,
                "sessions_counting": u.sessions_counting,
                "threshold": u.definition.threshold,
            }
            for u in unearned
        ],
    }
