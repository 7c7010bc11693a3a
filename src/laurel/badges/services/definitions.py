"""Badge definitions: the defaults, creating, editing, enabling and disabling badges.

Enabling a badge, or changing the rule of an enabled one so that more people qualify,
awards it at once to everyone whose record already qualifies; without ``confirm`` nothing
changes and ``BadgeConfirmationRequired`` lists exactly who would be awarded.

A confirmation can be bound to the people it was shown for: ``confirmed`` is the
``fingerprint`` of the list the admin saw. If the change would award anyone else, or
fewer people, by the time it is made, nothing is written and
``BadgeConfirmationRequired`` asks again with the list as it now is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laurel.accounts.models import User
from laurel.badges.models import TEXT_MAX_LENGTH, BadgeAuditEntry, BadgeDefinition
from laurel.badges.rules import BadgeRule, rule_clean, rule_of
from laurel.badges.selectors import BadgeQualifier, badge_would_award
from laurel.badges.services.audit import badge_audit_record
from laurel.badges.services.awarding import badges_grant
from laurel.certificates.selectors import award_fingerprint
from laurel.errors import Conflict
from laurel.programs.models import Organisation, Program
from laurel.uploads import image_upload_check
from laurel.validation import clean_colour, clean_line, clean_text


class BadgeConfirmationRequired(Conflict):
    """The change would award people at once; ask again with ``confirm=True``."""

    title = "Confirmation required"

    def __init__(
        self, detail: str, *, would_award: list[BadgeQualifier], changed: bool = False
    ) -> None:
        super().__init__(detail)
        self.would_award = would_award
        # Asked again because the people differ from those a bound confirmation was for.
        self.changed = changed

    @property
    def fingerprint(self) -> str:
        """What to pass back as ``confirmed`` to go ahead with exactly these people."""
        return award_fingerprint(q.user_id for q in self.would_award)


@dataclass(frozen=True)
class BadgeEnableResult:
    badge: BadgeDefinition
    awarded: int


@dataclass(frozen=True)
class BadgeUpdateResult:
    badge: BadgeDefinition
    awarded: int


class _ConfirmedForOthers(Exception):
    """Raised inside the transaction to roll back awards that reached other people than
    those the admin confirmed."""


def _defaults() -> list[tuple[str, str, str, BadgeRule]]:
    one_on_one = (Program.Kind.ONE_ON_ONE.value,)
    return [
        ("mentor", _("Mentor"), _("Held 10 sessions as a mentor."),
         BadgeRule(type="sessions_as_role", role="mentor", threshold=10, program_kinds=one_on_one)),
        ("mentee", _("Mentee"), _("Held 10 sessions as a mentee."),
         BadgeRule(type="sessions_as_role", role="mentee", threshold=10, program_kinds=one_on_one)),
        ("super_mentor", _("Super Mentor"), _("Held 40 sessions as a mentor."),
         BadgeRule(type="sessions_as_role", role="mentor", threshold=40, program_kinds=one_on_one)),
        ("connector", _("Connector"), _("Held sessions with 10 different people."),
         BadgeRule(type="distinct_partners", threshold=10, program_kinds=one_on_one)),
    ]  # fmt: skip


def _default_badge(
    organisation: Organisation,
    key: str,
    name: str,
    description: str,
    rule: BadgeRule,
    now: datetime,
) -> BadgeDefinition:
    return BadgeDefinition(
        organisation=organisation, default_key=key, name=name, description=description,
        rule=rule.type, role=rule.role, threshold=rule.threshold,
        feedback_required=rule.feedback_required, program_kinds=list(rule.program_kinds),
        created_at=now, updated_at=now,
    )  # fmt: skip


def badges_defaults_ensure(*, organisation: Organisation) -> list[BadgeDefinition]:
    """The four default badges of an organisation (Mentor, Mentee, Super Mentor,
    Connector), created disabled if missing; the ones it already has are left as the
    admins made them. Returns them in that order."""
    now = timezone.now()
    defaults = _defaults()
    with transaction.atomic():
        BadgeDefinition.objects.bulk_create(
            [
                _default_badge(organisation, key, name, description, rule, now)
                for key, name, description, rule in defaults
            ],
            ignore_conflicts=True,
        )
        found = {
            badge.default_key: badge
            for badge in BadgeDefinition.objects.filter(
                organisation=organisation, default_key__in=[key for key, *_ in defaults]
            )
        }
    return [found[key] for key, *_ in defaults]


def _clean_design(*, name: object, description: object, colour: object) -> tuple[str, str, str]:
    name = clean_line(name, field="name", label=_("Badge name"), max_length=200)
    description = clean_text(
        description, field="description", label=_("Description"), max_length=TEXT_MAX_LENGTH,
        required=False,
    )  # fmt: skip
    colour = "" if colour in ("", None) else clean_colour(colour)
    return name, description, colour


def badge_create(
    *,
    organisation: Organisation,
    by: User | None,
    name: str,
    description: str,
    colour: str,
    rule: BadgeRule,
    via: str = "",
    now: datetime | None = None,
) -> BadgeDefinition:
    """A new badge for the organisation, disabled until an admin enables it. A blank
    ``colour`` draws it in the organisation's accent colour."""
    now = now or timezone.now()
    name, description, colour = _clean_design(name=name, description=description, colour=colour)
    rule = rule_clean(rule)
    with transaction.atomic():
        badge = BadgeDefinition.objects.create(
            organisation=organisation, name=name, description=description, colour=colour,
            rule=rule.type, role=rule.role, threshold=rule.threshold,
            feedback_required=rule.feedback_required, program_kinds=list(rule.program_kinds),
            created_at=now, updated_at=now,
        )  # fmt: skip
        badge_audit_record(
            action=BadgeAuditEntry.Action.CREATED, organisation_id=organisation.pk, actor=by,
            now=now, badge=badge, via=via, data={"name": name, "rule": _rule_data(rule)},
        )  # fmt: skip
    return badge


def _rule_data(rule: BadgeRule) -> dict[str, Any]:
    data = asdict(rule)
    data["program_kinds"] = list(rule.program_kinds)
    return data


def _locked(badge: BadgeDefinition) -> BadgeDefinition:
    return (
        BadgeDefinition.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=badge.pk)
    )


def _confirmation_detail(
    qualifiers: list[BadgeQualifier], *, enabling: bool, changed: bool = False
) -> str:
    count = len(qualifiers)
    if enabling:
        detail = ngettext(
            "Enabling awards this badge now to %(count)d person and emails them."
            " Confirm to go ahead.",
            "Enabling awards this badge now to %(count)d people and emails them."
            " Confirm to go ahead.",
            count,
        ) % {"count": count}
    else:
        detail = ngettext(
            "This rule change awards this badge now to %(count)d person and emails them."
            " Confirm to go ahead.",
            "This rule change awards this badge now to %(count)d people and emails them."
            " Confirm to go ahead.",
            count,
        ) % {"count": count}
    if changed:
        detail = _("The people who qualify changed since you confirmed.") + " " + detail
    return detail


def _check_confirmed(awarded: list[tuple[int, int]], confirmed: str | None) -> None:
    if confirmed is not None and award_fingerprint(u for _, u in awarded) != confirmed:
        raise _ConfirmedForOthers


def badge_enable(
    *,
    badge: BadgeDefinition,
    by: User | None,
    confirm: bool,
    confirmed: str | None = None,
    via: str = "",
    now: datetime | None = None,
) -> BadgeEnableResult:
    """Enable a badge, awarding it at once to everyone whose record already qualifies.

    Without ``confirm`` nothing changes and ``BadgeConfirmationRequired`` lists exactly
    who would be awarded. With ``confirmed`` (a fingerprint), it goes ahead only if it
    awards exactly those people.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            badge = _locked(badge)
            if badge.enabled:
                return BadgeEnableResult(badge=badge, awarded=0)
            if not confirm:
                qualifiers = badge_would_award(badge=badge)
                raise BadgeConfirmationRequired(
                    _confirmation_detail(qualifiers, enabling=True), would_award=qualifiers
                )
            badge.enabled = True
            badge.enabled_at = now
            badge.updated_at = now
            badge.save(update_fields=["enabled", "enabled_at", "updated_at"])
            awarded = badges_grant(badge=badge, now=now)
            _check_confirmed(awarded, confirmed)
            badge_audit_record(
                action=BadgeAuditEntry.Action.ENABLED, organisation_id=badge.organisation_id,
                actor=by, now=now, badge=badge, via=via, data={"awarded": len(awarded)},
            )  # fmt: skip
    except _ConfirmedForOthers:
        qualifiers = badge_would_award(badge=BadgeDefinition.objects.get(pk=badge.pk))
        raise BadgeConfirmationRequired(
            _confirmation_detail(qualifiers, enabling=True, changed=True),
            would_award=qualifiers,
            changed=True,
        ) from None
    return BadgeEnableResult(badge=badge, awarded=len(awarded))


def badge_disable(
    *, badge: BadgeDefinition, by: User | None, via: str = "", now: datetime | None = None
) -> BadgeDefinition:
    """Stop awarding a badge. Badges already earned stay valid."""
    now = now or timezone.now()
    with transaction.atomic():
        badge = _locked(badge)
        if badge.enabled:
            badge.enabled = False
            badge.updated_at = now
            badge.save(update_fields=["enabled", "updated_at"])
            badge_audit_record(
                action=BadgeAuditEntry.Action.DISABLED, organisation_id=badge.organisation_id,
                actor=by, now=now, badge=badge, via=via,
            )  # fmt: skip
    return badge


def badge_update(
    *,
    badge: BadgeDefinition,
    by: User | None,
    name: str,
    description: str,
    colour: str,
    rule: BadgeRule,
    confirm: bool,
    confirmed: str | None = None,
    via: str = "",
    now: datetime | None = None,
) -> BadgeUpdateResult:
    """Edit a badge's design and rule.

    Design edits never touch issued badges. A rule change of an enabled badge that would
    award people at once needs ``confirm`` (and, with ``confirmed``, goes ahead only if it
    awards exactly those people); a stricter rule never revokes anything.
    """
    now = now or timezone.now()
    new_name, new_description, new_colour = _clean_design(
        name=name, description=description, colour=colour
    )
    new_rule = rule_clean(rule)
    try:
        with transaction.atomic():
            badge = _locked(badge)
            old_rule = rule_of(badge)
            design_changes = sorted(
                key
                for key, value, old in (
                    ("name", new_name, badge.name),
                    ("description", new_description, badge.description),
                    ("colour", new_colour, badge.colour),
                )
                if value != old
            )
            rule_changed = new_rule != old_rule
            if not design_changes and not rule_changed:
                return BadgeUpdateResult(badge=badge, awarded=0)
            if rule_changed and badge.enabled and not confirm:
                qualifiers = badge_would_award(badge=badge, rule=new_rule)
                if qualifiers:
                    raise BadgeConfirmationRequired(
                        _confirmation_detail(qualifiers, enabling=False), would_award=qualifiers
                    )
            badge.name, badge.description, badge.colour = new_name, new_description, new_colour
            badge.rule, badge.role, badge.threshold = (
                new_rule.type,
                new_rule.role,
                new_rule.threshold,
            )
            badge.feedback_required = new_rule.feedback_required
            badge.program_kinds = list(new_rule.program_kinds)
            badge.updated_at = now
            badge.save()
            if design_changes:
                badge_audit_record(
                    action=BadgeAuditEntry.Action.EDITED, organisation_id=badge.organisation_id,
                    actor=by, now=now, badge=badge, via=via, data={"changed": design_changes},
                )  # fmt: skip
            awarded: list[tuple[int, int]] = []
            if rule_changed:
                if badge.enabled:
                    awarded = badges_grant(badge=badge, now=now)
                    _check_confirmed(awarded, confirmed)
                badge_audit_record(
                    action=BadgeAuditEntry.Action.RULE_CHANGED,
                    organisation_id=badge.organisation_id, actor=by, now=now, badge=badge,
                    via=via,
                    data={"from": _rule_data(old_rule), "to": _rule_data(new_rule),
                          "awarded": len(awarded)},
                )  # fmt: skip
    except _ConfirmedForOthers:
        qualifiers = badge_would_award(
            badge=BadgeDefinition.objects.get(pk=badge.pk), rule=new_rule
        )
        raise BadgeConfirmationRequired(
            _confirmation_detail(qualifiers, enabling=False, changed=True),
            would_award=qualifiers,
            changed=True,
        ) from None
    return BadgeUpdateResult(badge=badge, awarded=len(awarded))


def badge_image_set(
    *, badge: BadgeDefinition, by: User | None, image: UploadedFile | None, via: str = ""
) -> BadgeDefinition:
    """Give the badge an uploaded image (a PNG or JPEG, checked by its content), or with
    ``None`` go back to the emblem drawn in its colour. Badges already issued keep the
    image they were awarded with."""
    now = timezone.now()
    checked = None
    if image is not None:
        checked = image_upload_check(image, field="image", label=_("Badge image"))
    with transaction.atomic():
        badge = _locked(badge)
        if image is not None and checked is not None:
            # A fresh file name each time (the field's upload_to): issued badges point at
            # the old one.
            badge.image.save(f"badge{checked.extension}", File(image), save=False)
        elif not badge.image:
            return badge
        else:
            badge.image = ""
        badge.updated_at = now
        badge.save(update_fields=["image", "updated_at"])
        badge_audit_record(
            action=BadgeAuditEntry.Action.EDITED, organisation_id=badge.organisation_id,
            actor=by, now=now, badge=badge, via=via,
            data={"changed": ["image"], "image": "uploaded" if image is not None else "emblem"},
        )  # fmt: skip
    return badge
