"""A badge's rule and a person's progress towards it, in words, for the pages that show them
("10 sessions as mentor, in 1:1 programs, no feedback needed"; "7 of 10 sessions as mentor")."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laurel.badges.models import BadgeDefinition
from laurel.programs.models import Program


def _kinds_in_words(program_kinds: Sequence[str]) -> str:
    names = {
        Program.Kind.ONE_ON_ONE.value: _("1:1"),
        Program.Kind.DEVELOPMENT.value: _("development"),
        Program.Kind.GROUP.value: _("group"),
    }
    order = list(names)
    chosen = sorted((k for k in program_kinds if k in names), key=order.index)
    return get_text_list([names[k] for k in chosen], _("and"))


def _amount(rule: str, role: str, threshold: int) -> str:
    if rule == BadgeDefinition.Rule.DISTINCT_PARTNERS:
        return ngettext(
            "sessions with %(n)d different person",
            "sessions with %(n)d different people",
            threshold,
        ) % {"n": threshold}
    if role == BadgeDefinition.Role.MENTEE:
        return ngettext("%(n)d session as mentee", "%(n)d sessions as mentee", threshold) % {
            "n": threshold
        }
    return ngettext("%(n)d session as mentor", "%(n)d sessions as mentor", threshold) % {
        "n": threshold
    }


def rule_in_words(
    *,
    rule: str,
    role: str,
    threshold: int,
    feedback_required: bool,
    program_kinds: Sequence[str],
) -> str:
    """What earns a badge, in one line an admin reads in the list of badges."""
    words = _("%(amount)s, in %(kinds)s programs, %(feedback)s") % {
        "amount": _amount(rule, role, threshold),
        "kinds": _kinds_in_words(program_kinds),
        "feedback": _("feedback needed") if feedback_required else _("no feedback needed"),
    }
    return str(capfirst(words))


def badge_rule_in_words(badge: BadgeDefinition) -> str:
    return rule_in_words(
        rule=badge.rule,
        role=badge.role,
        threshold=badge.threshold,
        feedback_required=badge.feedback_required,
        program_kinds=badge.program_kinds,
    )


def progress_in_words(*, rule: str, role: str, count: int, threshold: int) -> str:
    """How far a person is: "7 of 10 sessions as mentor", "4 of 10 different people"."""
    values = {"count": count, "n": threshold}
    if rule == BadgeDefinition.Rule.DISTINCT_PARTNERS:
        return (
            ngettext(
                "%(count)d of %(n)d different person",
                "%(count)d of %(n)d different people",
                threshold,
            )
            % values
        )
    if role == BadgeDefinition.Role.MENTEE:
        return (
            ngettext(
                "%(count)d of %(n)d session as mentee",
                "%(count)d of %(n)d sessions as mentee",
                threshold,
            )
            % values
        )
    return (
        ngettext(
            "%(count)d of %(n)d session as mentor",
            "%(count)d of %(n)d sessions as mentor",
            threshold,
        )
        % values
    )
