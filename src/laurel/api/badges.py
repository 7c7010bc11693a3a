"""Badges, their awards, and a person's standing toward them over HTTP.

Badges belong to the organisation, not to a program: a badge counts a person's sessions
across all of its programs. People are therefore named by ``person_id``, the same in every
program, where certificates name a program's participant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from laurel.api import lookups
from laurel.api.lookups import PathId
from laurel.api.pagination import paginate
from laurel.api.record import READ_ERRORS, WRITE_ERRORS, PageQuery
from laurel.api.schemas import (
    BadgeAwardOut,
    BadgeAwardPage,
    BadgeChangeOut,
    BadgeConfirmationProblem,
    BadgeConfirmIn,
    BadgeIn,
    BadgeOut,
    BadgePage,
    BadgePatch,
    BadgeRevokeIn,
    BadgeRuleIn,
    BadgeRulePatch,
    ParticipantBadgesOut,
)
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.selectors import badge_standings
from laurel.badges.services import (
    BadgeConfirmationRequired,
    BadgeRule,
    badge_award_reinstate,
    badge_award_revoke,
    badge_create,
    badge_disable,
    badge_enable,
    badge_update,
)
from laurel.errors import InvalidInput

router = Router(tags=["Badges"])

CONFIRM_ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 409: BadgeConfirmationProblem}

_SESSIONS_AS_ROLE = BadgeDefinition.Rule.SESSIONS_AS_ROLE.value

_CONFIRMATION_EXAMPLE = {
    "type": "urn:laurel:problem:confirmation-required",
    "title": "Confirmation required",
    "status": 409,
    "detail": "",
    "would_award": {
        "count": 2,
        "people": [
            {"person_id": "17", "name": "Ada Lovelace", "count": 12},
            {"person_id": "4", "name": "Grace Hopper", "count": 10},
        ],
    },
    "fingerprint": "5f2c9e0b7d41a8c3e6f1b2d9a4c7e0f3",
    "changed": False,
}


def _confirmation_docs(detail: str) -> dict[str, Any]:
    # Under the JSON content type, like the schema ninja writes there: the served document
    # moves both to application/problem+json.
    return {
        "responses": {
            409: {
                "description": "Confirmation required: nothing was changed.",
                "content": {
                    "application/json": {"example": {**_CONFIRMATION_EXAMPLE, "detail": detail}}
                },
            }
        }
    }


# --- shapes ---------------------------------------------------------------------------------


def _rule_out(
    *, rule: str, role: str, threshold: int, feedback_required: bool, program_kinds: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": rule}
    if rule == _SESSIONS_AS_ROLE:
        out["role"] = role
    out.update(
        threshold=threshold,
        feedback_required=feedback_required,
        program_kinds=list(program_kinds),
    )
    return out


def badge_out(badge: BadgeDefinition) -> dict[str, Any]:
    return {
        "id": str(badge.pk),
        "name": badge.name,
        "description": badge.description,
        "colour": badge.colour,
        "enabled": badge.enabled,
        "default_key": badge.default_key or None,
        "rule": _rule_out(
            rule=badge.rule,
            role=badge.role,
            threshold=badge.threshold,
            feedback_required=badge.feedback_required,
            program_kinds=badge.program_kinds,
        ),
    }


def badge_award_out(award: IssuedBadge) -> dict[str, Any]:
    return {
        "id": str(award.pk),
        "badge_id": str(award.badge_id),
        "person_id": str(award.user_id),
        "recipient_name": award.recipient_name,
        "name": award.name,
        "description": award.description,
        "colour": award.colour,
        "rule": _rule_out(
            rule=award.rule,
            role=award.role,
            threshold=award.threshold,
            feedback_required=award.feedback_required,
            program_kinds=award.program_kinds,
        ),
        "issued_at": award.issued_at,
        "method": award.method,
        "status": award.status,
        "revoked_at": award.revoked_at,
        "revocation_reason": award.revocation_reason,
        "revocation_reason_public": award.revocation_reason_public,
        "is_public": award.is_public,
        "public_url": f"{settings.SITE_URL}/b/{award.public_id}",
    }


def confirmation_problem_extra(exc: BadgeConfirmationRequired) -> dict[str, Any]:
    """What a 409 adds to the problem: exactly who would be awarded, and the fingerprint
    that binds a confirmation to that list."""
    return {
        "would_award": {
            "count": len(exc.would_award),
            "people": [
                {"person_id": str(q.user_id), "name": q.name, "count": q.count}
                for q in exc.would_award
            ],
        },
        "fingerprint": exc.fingerprint,
        "changed": exc.changed,
    }


# --- input ----------------------------------------------------------------------------------


def _kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    if len(set(kinds)) != len(kinds):
        raise InvalidInput.field("rule.program_kinds", _("Name each program kind once."))
    return tuple(kinds)


def _role(rule_type: str, role: str | None) -> str:
    # A role on a distinct_partners rule would be dropped, and the client would never learn
    # that what it sent meant nothing: refuse it.
    if rule_type == _SESSIONS_AS_ROLE:
        if role is None:
            raise InvalidInput.field(
                "rule.role",
                _("A sessions_as_role rule needs the role whose sessions count: mentor or mentee."),
            )
        return role
    if role is not None:
        raise InvalidInput.field(
            "rule.role",
            _(
                "A distinct_partners rule has no role (partners met in either role count);"
                " remove it, or use the type sessions_as_role."
            ),
        )
    return ""


def _new_rule(rule: BadgeRuleIn) -> BadgeRule:
    return BadgeRule(
        type=rule.type,
        threshold=rule.threshold,
        role=_role(rule.type, rule.role),
        feedback_required=rule.feedback_required,
        program_kinds=_kinds(rule.program_kinds),
    )


def _changed_rule(badge: BadgeDefinition, patch: BadgeRulePatch | None) -> BadgeRule:
    """The badge's rule with the fields the client sent; the others as they are."""
    current_kinds = tuple(badge.program_kinds)
    if patch is None:
        return BadgeRule(
            type=badge.rule,
            threshold=badge.threshold,
            role=badge.role,
            feedback_required=badge.feedback_required,
            program_kinds=current_kinds,
        )
    rule_type = patch.type or badge.rule
    role: str | None = patch.role
    if role is None and rule_type == badge.rule == _SESSIONS_AS_ROLE:
        role = badge.role or None
    return BadgeRule(
        type=rule_type,
        threshold=badge.threshold if patch.threshold is None else patch.threshold,
        role=_role(rule_type, role),
        feedback_required=badge.feedback_required
        if patch.feedback_required is None
        else patch.feedback_required,
        program_kinds=current_kinds if patch.program_kinds is None else _kinds(patch.program_kinds),
    )


# --- lookups --------------------------------------------------------------------------------


def _badge(request: HttpRequest, raw_id: str) -> BadgeDefinition:
    return lookups.one(
        BadgeDefinition.objects.select_related("organisation").filter(
            organisation_id=lookups.organisation_id(request)
        ),
        raw_id,
        "badge",
    )


def _award(request: HttpRequest, raw_id: str) -> IssuedBadge:
    return lookups.one(
        IssuedBadge.objects.filter(badge__organisation_id=lookups.organisation_id(request)),
        raw_id,
        "badge award",
    )


# --- badges ---------------------------------------------------------------------------------


@router.get("/badges", response={200: BadgePage, **READ_ERRORS})
def list_badges(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The organisation's badges, enabled or not, in the order they were created. Every
    organisation starts with four (Mentor, Mentee, Super Mentor, Connector), disabled."""
    found = paginate(
        BadgeDefinition.objects.filter(organisation_id=lookups.organisation_id(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [badge_out(b) for b in found.items], "next_cursor": found.next_cursor}


@router.post("/badges", response={201: BadgeOut, **WRITE_ERRORS})
def create_badge(request: HttpRequest, payload: BadgeIn) -> Status[dict[str, Any]]:
    """A new badge of the organisation, disabled until it is enabled.

    ``sessions_as_role`` counts the sessions a person held in one role (``role``: mentor or
    mentee) in any of the organisation's programs of the kinds in ``program_kinds``;
    ``distinct_partners`` counts the different people they held such sessions with, each
    once (no ``role``). With ``feedback_required`` a session counts only once somebody gave
    feedback on it.
    """
    badge = badge_create(
        organisation=lookups.token_of(request).organisation,
        by=None,
        via=lookups.via(request),
        name=payload.name,
        description=payload.description,
        colour=payload.colour,
        rule=_new_rule(payload.rule),
    )
    return Status(201, badge_out(badge))


@router.get("/badges/{badge_id}", response={200: BadgeOut, **READ_ERRORS})
def get_badge(request: HttpRequest, badge_id: PathId) -> dict[str, Any]:
    """One badge of the organisation, as it is now."""
    return badge_out(_badge(request, badge_id))


@router.patch(
    "/badges/{badge_id}",
    response={200: BadgeChangeOut, **CONFIRM_ERRORS},
    openapi_extra=_confirmation_docs(
        "This rule change awards this badge now to 2 people and emails them. Confirm to go ahead."
    ),
)
def update_badge(request: HttpRequest, badge_id: PathId, payload: BadgePatch) -> dict[str, Any]:
    """Edit the name, description, colour or rule; a field left out (also inside ``rule``)
    keeps its value. Badges already awarded never change.

    A rule change of an enabled badge that would award people at once needs
    ``"confirm": true``; without it the answer is a 409 whose ``would_award`` lists exactly
    who would be awarded, and nothing changes. Send its ``fingerprint`` back as
    ``confirmed`` to go ahead only if the list is still the same.
    """
    badge = _badge(request, badge_id)
    result = badge_update(
        badge=badge,
        by=None,
        via=lookups.via(request),
        name=badge.name if payload.name is None else payload.name,
        description=badge.description if payload.description is None else payload.description,
        colour=badge.colour if payload.colour is None else payload.colour,
        rule=_changed_rule(badge, payload.rule),
        confirm=payload.confirm,
        confirmed=payload.confirmed,
    )
    return {"badge": badge_out(result.badge), "awarded": result.awarded}


@router.post(
    "/badges/{badge_id}/enable",
    response={200: BadgeChangeOut, **CONFIRM_ERRORS},
    openapi_extra=_confirmation_docs(
        "Enabling awards this badge now to 2 people and emails them. Confirm to go ahead."
    ),
)
def enable_badge(request: HttpRequest, badge_id: PathId, payload: BadgeConfirmIn) -> dict[str, Any]:
    """Enable a badge, awarding it at once to everyone who already qualifies.

    With ``"confirm": false`` nothing changes: the answer is a 409 whose ``would_award``
    lists exactly who would be awarded, with a ``fingerprint`` of that list. With
    ``"confirm": true`` the awards (and their emails) are committed before the answer; add
    ``"confirmed": fingerprint`` to go ahead only if it awards exactly the people listed
    (a 409 with the new list and ``"changed": true`` otherwise).
    """
    result = badge_enable(
        badge=_badge(request, badge_id),
        by=None,
        via=lookups.via(request),
        confirm=payload.confirm,
        confirmed=payload.confirmed,
    )
    return {"badge": badge_out(result.badge), "awarded": result.awarded}


@router.post(
    "/badges/{badge_id}/disable",
    response={200: BadgeOut, **WRITE_ERRORS},
)
def disable_badge(request: HttpRequest, badge_id: PathId) -> dict[str, Any]:
    """Stop awarding a badge; those already earned stay valid."""
    return badge_out(
        badge_disable(badge=_badge(request, badge_id), by=None, via=lookups.via(request))
    )


@router.get(
    "/badges/{badge_id}/awards",
    response={200: BadgeAwardPage, **READ_ERRORS},
)
def list_badge_awards(
    request: HttpRequest, badge_id: PathId, page: Query[PageQuery]
) -> dict[str, Any]:
    """Everyone who was awarded the badge, valid or revoked, oldest first."""
    badge = _badge(request, badge_id)
    found = paginate(IssuedBadge.objects.filter(badge=badge), cursor=page.cursor, limit=page.limit)
    return {"items": [badge_award_out(a) for a in found.items], "next_cursor": found.next_cursor}


# --- badge awards ---------------------------------------------------------------------------


@router.get(
    "/badge-awards/{badge_award_id}",
    response={200: BadgeAwardOut, **READ_ERRORS},
    tags=["Badge awards"],
)
def get_badge_award(request: HttpRequest, badge_award_id: PathId) -> dict[str, Any]:
    """An awarded badge as it was awarded: its name, description, colour and rule are the
    copies frozen then, whatever the badge says now."""
    return badge_award_out(_award(request, badge_award_id))


@router.post(
    "/badge-awards/{badge_award_id}/revoke",
    response={200: BadgeAwardOut, **WRITE_ERRORS},
    tags=["Badge awards"],
)
def revoke_badge_award(
    request: HttpRequest, badge_award_id: PathId, payload: BadgeRevokeIn
) -> dict[str, Any]:
    """Revoke an awarded badge with a reason; its public page and credential then say so.
    The public page shows the reason only with ``"public_reason": true``. The person is
    never awarded the badge again unless it is reinstated (409 if already revoked)."""
    return badge_award_out(
        badge_award_revoke(
            award=_award(request, badge_award_id),
            by=None,
            via=lookups.via(request),
            reason=payload.reason,
            public_reason=payload.public_reason,
        )
    )


@router.post(
    "/badge-awards/{badge_award_id}/reinstate",
    response={200: BadgeAwardOut, **WRITE_ERRORS},
    tags=["Badge awards"],
)
def reinstate_badge_award(request: HttpRequest, badge_award_id: PathId) -> dict[str, Any]:
    """Undo a revocation: the badge is valid again under the same public id, and its
    credential's status is cleared. Only a revoked badge can be reinstated (409 otherwise)."""
    return badge_award_out(
        badge_award_reinstate(
            award=_award(request, badge_award_id), by=None, via=lookups.via(request)
        )
    )


@router.get(
    "/participants/{participant_id}/badges",
    response={200: ParticipantBadgesOut, **READ_ERRORS},
    tags=["Badge awards"],
)
def participant_badges(request: HttpRequest, participant_id: PathId) -> dict[str, Any]:
    """The badges this participant's person holds in the organisation (from any of its
    programs, valid or revoked), and the enabled badges they can still earn with their
    count toward each: only badges for a role they hold in a program whose kind counts."""
    participant = lookups.participant(request, participant_id)
    organisation_id = participant.program.organisation_id
    earned = IssuedBadge.objects.filter(
        badge__organisation_id=organisation_id, user_id=participant.user_id
    ).order_by("issued_at", "pk")
    standings = badge_standings(organisation_id=organisation_id, user_id=participant.user_id)
    return {
        "earned": [badge_award_out(a) for a in earned],
        "unearned": [
            {
                "badge_id": str(s.badge.pk),
                "name": s.badge.name,
                "description": s.badge.description,
                "count": s.count,
                "threshold": s.threshold,
            }
            for s in standings
            if s.award is None
        ],
    }
