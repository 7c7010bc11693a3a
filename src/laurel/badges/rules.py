"""A badge's rule, as services take it and as the counting SQL reads it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from laurel.badges.models import MAX_THRESHOLD, BadgeDefinition
from laurel.errors import InvalidInput
from laurel.programs.models import Program


@dataclass(frozen=True)
class BadgeRule:
    type: str  # "sessions_as_role" | "distinct_partners"
    threshold: int
    role: str = ""  # "mentor" | "mentee" for sessions_as_role, "" otherwise
    feedback_required: bool = False
    program_kinds: tuple[str, ...] = (Program.Kind.ONE_ON_ONE.value,)


def rule_of(badge: BadgeDefinition) -> BadgeRule:
    """The rule a badge holds now."""
    return BadgeRule(
        type=badge.rule,
        threshold=badge.threshold,
        role=badge.role,
        feedback_required=badge.feedback_required,
        program_kinds=tuple(badge.program_kinds),
    )


def rule_clean(rule: BadgeRule) -> BadgeRule:
    """The rule as stored (program kinds once each, in the kinds' own order), or
    ``InvalidInput`` naming the part that is wrong."""
    if rule.type not in BadgeDefinition.Rule.values:
        raise InvalidInput.field(
            "rule.type",
            _("Unknown rule type %(type)r; use 'sessions_as_role' or 'distinct_partners'.")
            % {"type": rule.type},
        )
    threshold = rule.threshold
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise InvalidInput.field(
            "rule.threshold", _("The number of sessions or people must be a whole number.")
        )
    if not 1 <= threshold <= MAX_THRESHOLD:
        raise InvalidInput.field(
            "rule.threshold",
            _("The number must be between 1 and %(max)d.") % {"max": MAX_THRESHOLD},
        )
    if rule.type == BadgeDefinition.Rule.SESSIONS_AS_ROLE:
        if rule.role not in BadgeDefinition.Role.values:
            raise InvalidInput.field(
                "rule.role",
                _("Choose the role whose sessions count: 'mentor' or 'mentee' (got %(role)r).")
                % {"role": rule.role},
            )
        role = rule.role
    else:
        if rule.role not in ("", None):
            raise InvalidInput.field(
                "rule.role",
                _(
                    "A badge for sessions with different people counts every role; leave the role empty."
                ),
            )
        role = ""
    if not isinstance(rule.feedback_required, bool):
        raise InvalidInput.field(
            "rule.feedback_required", _("Whether feedback is required must be true or false.")
        )
    kinds = rule.program_kinds
    if isinstance(kinds, str) or not all(isinstance(kind, str) for kind in kinds):
        raise InvalidInput.field(
            "rule.program_kinds", _("The program kinds must be a list of kinds.")
        )
    unknown = [kind for kind in kinds if kind not in Program.Kind.values]
    if unknown:
        raise InvalidInput.field(
            "rule.program_kinds",
            _("Unknown program kind %(kind)r; use one_on_one, development or group.")
            % {"kind": unknown[0]},
        )
    if not kinds:
        raise InvalidInput.field(
            "rule.program_kinds", _("Choose at least one kind of program whose sessions count.")
        )
    return BadgeRule(
        type=rule.type,
        threshold=threshold,
        role=role,
        feedback_required=rule.feedback_required,
        program_kinds=tuple(kind for kind in Program.Kind.values if kind in kinds),
    )
