"""Certificate definitions: creating, enabling, disabling and editing them.

Enabling a certificate, or changing its rule so that more people qualify, awards it at
once to everyone whose record already qualifies; without ``confirm`` nothing changes and
``ConfirmationRequired`` lists exactly who would be awarded.

A confirmation can be bound to the people it was shown for: ``confirmed`` is the
``fingerprint`` of the list the admin saw (``award_fingerprint``). If the change would
award anyone else, or fewer people, by the time it is made, nothing is written and
``ConfirmationRequired`` asks again with the list as it now is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from laurel.accounts.models import User
from laurel.certificates import merge_fields
from laurel.certificates.models import TEXT_MAX_LENGTH, AuditEntry, CertificateDefinition
from laurel.certificates.selectors import Qualifier, award_fingerprint, would_award
from laurel.certificates.services.audit import audit_record
from laurel.certificates.services.awarding import awards_grant
from laurel.errors import Conflict, InvalidInput
from laurel.programs.models import Program
from laurel.rendering.faces import LAYOUTS
from laurel.validation import clean_colour, clean_line, clean_text

MAX_THRESHOLD = 10_000


@dataclass(frozen=True)
class RuleInput:
    type: str
    threshold: int | None = None
    guidance: str = ""


class ConfirmationRequired(Conflict):
    """The change would award people at once; ask again with ``confirm=True``."""

    title = "Confirmation required"

    def __init__(self, detail: str, *, would_award: list[Qualifier], changed: bool = False) -> None:
        super().__init__(detail)
        self.would_award = would_award
        # Asked again because the people differ from those a bound confirmation was for.
        self.changed = changed

    @property
    def fingerprint(self) -> str:
        """What to pass back as ``confirmed`` to go ahead with exactly these people."""
        return award_fingerprint(q.user_id for q in self.would_award)


class _ConfirmedForOthers(Exception):
    """Raised inside the transaction to roll back awards that reached other people than
    those the admin confirmed."""


def _clean_rule(rule: RuleInput, *, program: Program) -> RuleInput:
    if rule.type == CertificateDefinition.Rule.SESSIONS_COMPLETED:
        if program.kind == Program.Kind.DEVELOPMENT:
            raise InvalidInput.field(
                "rule",
                "Development programs award certificates manually only; "
                "use the rule type 'manual'.",
            )
        threshold = rule.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int):
            raise InvalidInput.field(
                "rule.threshold", "The number of sessions must be a whole number."
            )
        if not 1 <= threshold <= MAX_THRESHOLD:
            raise InvalidInput.field(
                "rule.threshold", f"The number of sessions must be between 1 and {MAX_THRESHOLD}."
            )
        return RuleInput(type=rule.type, threshold=threshold, guidance="")
    if rule.type == CertificateDefinition.Rule.MANUAL:
        guidance = clean_text(
            rule.guidance, field="rule.guidance", label="Guidance", max_length=TEXT_MAX_LENGTH,
            required=False,
        )  # fmt: skip
        return RuleInput(type=rule.type, threshold=None, guidance=guidance)
    raise InvalidInput.field(
        "rule.type", f"Unknown rule type {rule.type!r}; use 'sessions_completed' or 'manual'."
    )


def _clean_design(*, name: object, text: object, colour: object) -> tuple[str, str, str]:
    name = clean_line(name, field="name", label="Certificate name", max_length=200)
    text = clean_text(text, field="text", label="Certificate text", max_length=TEXT_MAX_LENGTH)
    unknown = merge_fields.unknown_fields(text)
    if unknown:
        listed = ", ".join("{" + u + "}" for u in unknown)
        known = ", ".join("{" + f + "}" for f in merge_fields.FIELDS)
        raise InvalidInput.field(
            "text", f"Unknown merge field {listed}. Available fields: {known}."
        )
    return name, text, clean_colour(colour)


def _clean_layout(layout: object) -> str:
    if layout == "" or layout in LAYOUTS:
        return str(layout)
    known = ", ".join(LAYOUTS)
    raise InvalidInput.field(
        "layout", f"Unknown layout {layout!r}. Choose one of {known}, or leave it blank."
    )


def refuse_group(program: Program) -> None:
    if program.kind == Program.Kind.GROUP:
        raise InvalidInput.field(
            "program",
            "Certificates are not yet available in group programs; "
            "they can be added to 1:1 and development programs.",
        )


def certificate_create(
    *,
    program: Program,
    by: User | None,
    name: str,
    text: str,
    colour: str,
    rule: RuleInput,
    layout: str = "",
    via: str = "",
    now: datetime | None = None,
) -> CertificateDefinition:
    """A new certificate for ``program``, disabled until an admin enables it.

    A blank ``layout`` prints it in the organisation's default layout.
    """
    now = now or timezone.now()
    refuse_group(program)
    name, text, colour = _clean_design(name=name, text=text, colour=colour)
    layout = _clean_layout(layout)
    rule = _clean_rule(rule, program=program)
    with transaction.atomic():
        definition = CertificateDefinition.objects.create(
            program=program, name=name, text=text, colour=colour, layout=layout,
            rule=rule.type, threshold=rule.threshold, guidance=rule.guidance,
            created_at=now, updated_at=now,
        )  # fmt: skip
        audit_record(now=now, via=via, action=AuditEntry.Action.CREATED, program=program, actor=by, definition=definition,
               data={"name": name, "rule": rule.type, "threshold": rule.threshold})  # fmt: skip
    return definition


@dataclass(frozen=True)
class EnableResult:
    definition: CertificateDefinition
    awarded: int


def locked_definition(definition: CertificateDefinition) -> CertificateDefinition:
    return (
        CertificateDefinition.objects.select_for_update(of=("self",))
        .select_related("program__organisation")
        .get(pk=definition.pk)
    )


def _confirmation_detail(qualifiers: list[Qualifier], what: str, *, changed: bool = False) -> str:
    count = len(qualifiers)
    people = "1 person" if count == 1 else f"{count} people"
    detail = f"{what} awards this certificate now to {people} and emails them. Confirm to go ahead."
    if changed:
        detail = "The people who qualify changed since you confirmed. " + detail
    return detail


def _check_confirmed(awarded: list[tuple[int, int]], confirmed: str | None) -> None:
    if confirmed is not None and award_fingerprint(u for _, u in awarded) != confirmed:
        raise _ConfirmedForOthers


def certificate_enable(
    *,
    definition: CertificateDefinition,
    by: User | None,
    confirm: bool,
    confirmed: str | None = None,
    via: str = "",
    now: datetime | None = None,
) -> EnableResult:
    """Enable a certificate, awarding it at once to everyone whose record already qualifies.

    Without ``confirm`` nothing changes and ``ConfirmationRequired`` lists exactly who
    would be awarded. With ``confirmed`` (a fingerprint), it goes ahead only if it awards
    exactly those people.
    """
    now = now or timezone.now()
    try:
        return _enable(definition=definition, by=by, confirm=confirm, confirmed=confirmed,
                       via=via, now=now)  # fmt: skip
    except _ConfirmedForOthers:
        qualifiers = would_award(definition=definition, threshold=definition.threshold)
        raise ConfirmationRequired(
            _confirmation_detail(qualifiers, "Enabling", changed=True),
            would_award=qualifiers,
            changed=True,
        ) from None


def _enable(
    *,
    definition: CertificateDefinition,
    by: User | None,
    confirm: bool,
    confirmed: str | None,
    via: str,
    now: datetime,
) -> EnableResult:
    with transaction.atomic():
        definition = locked_definition(definition)
        program = definition.program
        refuse_group(program)
        if definition.enabled:
            return EnableResult(definition=definition, awarded=0)
        if not confirm:
            qualifiers = would_award(definition=definition, threshold=definition.threshold)
            raise ConfirmationRequired(
                _confirmation_detail(qualifiers, "Enabling"), would_award=qualifiers
            )
        definition.enabled = True
        definition.enabled_at = now
        definition.updated_at = now
        definition.save(update_fields=["enabled", "enabled_at", "updated_at"])
        awarded: list[tuple[int, int]] = []
        if definition.is_automatic:
            awarded = awards_grant(
                definition=definition, program=program, method="automatic",
                minimum_counting=definition.threshold, now=now,
            )  # fmt: skip
        _check_confirmed(awarded, confirmed)
        audit_record(now=now, via=via, action=AuditEntry.Action.ENABLED, program=program, actor=by, definition=definition,
               data={"awarded": len(awarded)})  # fmt: skip
    return EnableResult(definition=definition, awarded=len(awarded))


def certificate_disable(
    *,
    definition: CertificateDefinition,
    by: User | None,
    via: str = "",
    now: datetime | None = None,
) -> CertificateDefinition:
    """Stop awarding a certificate. Certificates already earned stay valid."""
    now = now or timezone.now()
    with transaction.atomic():
        definition = locked_definition(definition)
        if definition.enabled:
            definition.enabled = False
            definition.updated_at = now
            definition.save(update_fields=["enabled", "updated_at"])
            audit_record(now=now, via=via, action=AuditEntry.Action.DISABLED, program=definition.program, actor=by,
                   definition=definition)  # fmt: skip
    return definition


_UNSET: Any = object()


def certificate_update(
    *,
    definition: CertificateDefinition,
    by: User | None,
    name: str = _UNSET,
    text: str = _UNSET,
    colour: str = _UNSET,
    layout: str = _UNSET,
    rule: RuleInput = _UNSET,
    confirm: bool = False,
    confirmed: str | None = None,
    via: str = "",
    now: datetime | None = None,
) -> EnableResult:
    """Edit a certificate's design or rule.

    Design edits never touch issued certificates. A rule change that would award people
    at once needs ``confirm`` (and, with ``confirmed``, goes ahead only if it awards
    exactly those people); a stricter rule never revokes anything.
    """
    now = now or timezone.now()
    try:
        return _update(definition=definition, by=by, name=name, text=text, colour=colour,
                       layout=layout, rule=rule, confirm=confirm, confirmed=confirmed, via=via,
                       now=now)  # fmt: skip
    except _ConfirmedForOthers:
        refreshed = CertificateDefinition.objects.get(pk=definition.pk)
        threshold = refreshed.threshold if rule is _UNSET else rule.threshold
        qualifiers = would_award(definition=refreshed, threshold=threshold)
        raise ConfirmationRequired(
            _confirmation_detail(qualifiers, "This rule change", changed=True),
            would_award=qualifiers,
            changed=True,
        ) from None


def _update(
    *,
    definition: CertificateDefinition,
    by: User | None,
    name: str,
    text: str,
    colour: str,
    layout: str,
    rule: RuleInput,
    confirm: bool,
    confirmed: str | None,
    via: str,
    now: datetime,
) -> EnableResult:
    with transaction.atomic():
        definition = locked_definition(definition)
        program = definition.program
        new_name, new_text, new_colour = _clean_design(
            name=definition.name if name is _UNSET else name,
            text=definition.text if text is _UNSET else text,
            colour=definition.colour if colour is _UNSET else colour,
        )
        new_layout = definition.layout if layout is _UNSET else _clean_layout(layout)
        design_changes = {
            key: value
            for key, value, old in (
                ("name", new_name, definition.name),
                ("text", new_text, definition.text),
                ("colour", new_colour, definition.colour),
                ("layout", new_layout, definition.layout),
            )
            if value != old
        }
        rule_changes: dict[str, Any] = {}
        if rule is not _UNSET:
            new_rule = _clean_rule(rule, program=program)
            if (new_rule.type, new_rule.threshold, new_rule.guidance) != (
                definition.rule, definition.threshold, definition.guidance
            ):  # fmt: skip
                rule_changes = {
                    "from": {"type": definition.rule, "threshold": definition.threshold},
                    "to": {"type": new_rule.type, "threshold": new_rule.threshold},
                }
                if definition.enabled and not confirm:
                    qualifiers = would_award(definition=definition, threshold=new_rule.threshold)
                    if qualifiers:
                        raise ConfirmationRequired(
                            _confirmation_detail(qualifiers, "This rule change"),
                            would_award=qualifiers,
                        )
                definition.rule = new_rule.type
                definition.threshold = new_rule.threshold
                definition.guidance = new_rule.guidance
        if not design_changes and not rule_changes:
            return EnableResult(definition=definition, awarded=0)
        definition.name, definition.text, definition.colour = new_name, new_text, new_colour
        definition.layout = new_layout
        definition.updated_at = now
        definition.save()
        if design_changes:
            audit_record(now=now, via=via, action=AuditEntry.Action.EDITED, program=program, actor=by,
                   definition=definition, data={"changed": sorted(design_changes)})  # fmt: skip
        awarded: list[tuple[int, int]] = []
        if rule_changes:
            if definition.enabled and definition.is_automatic:
                awarded = awards_grant(
                    definition=definition, program=program, method="automatic",
                    minimum_counting=definition.threshold, now=now,
                )  # fmt: skip
                _check_confirmed(awarded, confirmed)
            audit_record(now=now, via=via, action=AuditEntry.Action.RULE_CHANGED, program=program, actor=by,
                   definition=definition, data={**rule_changes, "awarded": len(awarded)})  # fmt: skip
    return EnableResult(definition=definition, awarded=len(awarded))
