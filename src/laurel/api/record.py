"""The mentorship record over HTTP: programs, participants, pairings, sessions, feedback."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from laurel.api import lookups
from laurel.api.lookups import PathId
from laurel.api.pagination import CURSOR_MAX_LENGTH, DEFAULT_LIMIT, MAX_LIMIT, paginate
from laurel.api.schemas import (
    FeedbackIn,
    FeedbackOut,
    PairingIn,
    PairingOut,
    ParticipantIn,
    ParticipantOut,
    ParticipantPage,
    Problem,
    ProgramIn,
    ProgramOut,
    ProgramPage,
    SessionIn,
    SessionOut,
)
from laurel.errors import InvalidInput
from laurel.programs.models import Feedback, PairingMember, Participant, Program, Session
from laurel.programs.services import (
    feedback_submit,
    pairing_record,
    participant_add,
    program_create,
    session_cancel,
    session_complete,
    session_record,
)

router = Router(tags=["Mentorship record"])

# 429: too many requests for the organisation (Retry-After); 503: the database was busy
# with a long change for too long (Retry-After; nothing was changed).
READ_ERRORS: dict[int, type[Schema]] = {
    401: Problem,
    404: Problem,
    422: Problem,
    429: Problem,
    503: Problem,
}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 409: Problem, 413: Problem}


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=CURSOR_MAX_LENGTH)


def program_out(program: Program) -> dict[str, object]:
    return {"id": str(program.pk), "name": program.name, "kind": program.kind}


def participant_out(participant: Participant) -> dict[str, object]:
    return {
        "id": str(participant.pk),
        "email": participant.user.email,
        "name": participant.user.name,
        "role": participant.role,
    }


def session_out(session: Session) -> dict[str, object]:
    return {
        "id": str(session.pk),
        "pairing_id": str(session.pairing_id),
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "status": session.status,
        "external_id": session.external_id,
    }


def feedback_out(feedback: Feedback) -> dict[str, object]:
    return {
        "id": str(feedback.pk),
        "session_id": str(feedback.session_id),
        "participant_id": str(feedback.author_id),
        "rating": feedback.rating,
        "comment": feedback.comment,
        "created_at": feedback.created_at,
    }


@router.post("/programs", response={201: ProgramOut, **WRITE_ERRORS})
def create_program(request: HttpRequest, payload: ProgramIn) -> Status[dict[str, object]]:
    """Create a program in the token's organisation."""
    program = program_create(
        organisation=lookups.token_of(request).organisation,
        name=payload.name,
        kind=payload.kind,
    )
    return Status(201, program_out(program))


@router.get("/programs", response={200: ProgramPage, **READ_ERRORS})
def list_programs(request: HttpRequest, page: Query[PageQuery]) -> dict[str, object]:
    """The organisation's programs, oldest first."""
    found = paginate(
        Program.objects.filter(organisation_id=lookups.organisation_id(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [program_out(p) for p in found.items], "next_cursor": found.next_cursor}


@router.get("/programs/{program_id}", response={200: ProgramOut, **READ_ERRORS})
def get_program(request: HttpRequest, program_id: PathId) -> dict[str, object]:
    return program_out(lookups.program(request, program_id))


@router.post("/programs/{program_id}/participants", response={201: ParticipantOut, **WRITE_ERRORS})
def add_participant(
    request: HttpRequest, program_id: PathId, payload: ParticipantIn
) -> Status[dict[str, object]]:
    """Add a person to a program in a role; the same email in the other role adds that role.

    The person is identified by email address: adding someone who is already in the
    program in this role is a 409.
    """
    program = lookups.program(request, program_id)
    participant = participant_add(
        program=program, email=payload.email, name=payload.name, role=payload.role
    )
    return Status(201, participant_out(participant))


@router.get("/programs/{program_id}/participants", response={200: ParticipantPage, **READ_ERRORS})
def list_participants(
    request: HttpRequest, program_id: PathId, page: Query[PageQuery]
) -> dict[str, object]:
    program = lookups.program(request, program_id)
    found = paginate(
        Participant.objects.filter(program=program).select_related("user"),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {
        "items": [participant_out(p) for p in found.items],
        "next_cursor": found.next_cursor,
    }


@router.post(
    "/programs/{program_id}/pairings", response={200: PairingOut, 201: PairingOut, **WRITE_ERRORS}
)
def create_pairing(
    request: HttpRequest, program_id: PathId, payload: PairingIn
) -> Status[dict[str, object]]:
    """Pair two participants of a 1:1 program (or several in a group program).

    With an ``external_id`` already recorded in the program, the pairing recorded under it
    is answered with 200, as it is stored, and nothing is created. Without one, pairing the
    same participants again is a 409.
    """
    program = lookups.program(request, program_id)
    ids = lookups.ids_from(payload.participant_ids, field="participant_ids")
    found = Participant.objects.filter(program=program).in_bulk(ids)
    missing = [str(pid) for pid in ids if pid not in found]
    if missing:
        raise InvalidInput.field(
            "participant_ids", f"These participants are not in this program: {', '.join(missing)}."
        )
    recorded = pairing_record(
        program=program,
        participants=[found[pid] for pid in ids],
        external_id=payload.external_id,
    )
    pairing = recorded.value
    if recorded.created:
        member_ids = [str(pid) for pid in ids]
    else:
        member_ids = [
            str(pid)
            for pid in PairingMember.objects.filter(pairing=pairing)
            .order_by("pk")
            .values_list("participant_id", flat=True)
        ]
    body: dict[str, object] = {
        "id": str(pairing.pk),
        "participant_ids": member_ids,
        "external_id": pairing.external_id,
    }
    return Status(201 if recorded.created else 200, body)


@router.post(
    "/pairings/{pairing_id}/sessions", response={200: SessionOut, 201: SessionOut, **WRITE_ERRORS}
)
def create_session(
    request: HttpRequest, pairing_id: PathId, payload: SessionIn
) -> Status[dict[str, object]]:
    """Book a session, or record one from the past with ``"status": "completed"``.

    With an ``external_id`` already recorded in the pairing, the session recorded under it
    is answered with 200, as it is stored now, and nothing is created or checked.
    """
    pairing = lookups.pairing(request, pairing_id)
    recorded = session_record(
        pairing=pairing,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        status=payload.status,
        external_id=payload.external_id,
    )
    return Status(201 if recorded.created else 200, session_out(recorded.value))


@router.post("/sessions/{session_id}/complete", response={200: SessionOut, **WRITE_ERRORS})
def complete_session(request: HttpRequest, session_id: PathId) -> dict[str, object]:
    """Mark a session completed. A session that has not started yet is a 422."""
    return session_out(session_complete(session=lookups.session(request, session_id)))


@router.post("/sessions/{session_id}/cancel", response={200: SessionOut, **WRITE_ERRORS})
def cancel_session(request: HttpRequest, session_id: PathId) -> dict[str, object]:
    """Cancel a session. Completion is final: cancelling a completed session is a 409."""
    return session_out(session_cancel(session=lookups.session(request, session_id)))


@router.post("/sessions/{session_id}/feedback", response={201: FeedbackOut, **WRITE_ERRORS})
def give_feedback(
    request: HttpRequest, session_id: PathId, payload: FeedbackIn
) -> Status[dict[str, object]]:
    """A member's feedback on a session (one per member); it makes the session count."""
    session = lookups.session(request, session_id)
    author_id = lookups.ids_from([payload.participant_id], field="participant_id")[0]
    author = Participant.objects.filter(
        pk=author_id, program__organisation_id=lookups.organisation_id(request)
    ).first()
    if author is None:
        raise InvalidInput.field(
            "participant_id", "Only a member of this session's pairing can give feedback on it."
        )
    feedback = feedback_submit(
        session=session, author=author, rating=payload.rating, comment=payload.comment
    )
    return Status(201, feedback_out(feedback))
