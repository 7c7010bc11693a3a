"""The badge forms: they parse what the admin typed; the badge services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from laurel.badges.models import MAX_THRESHOLD, TEXT_MAX_LENGTH, BadgeDefinition
from laurel.badges.services import BadgeRule
from laurel.errors import LaurelError
from laurel.programs.models import Program

# Where a service's field name lands on the form.
SERVICE_FIELDS = {
    "name": "name",
    "description": "description",
    "colour": "colour",
    "rule": "rule",
    "rule.type": "rule",
    "type": "rule",
    "rule.role": "role",
    "role": "role",
    "rule.threshold": "threshold",
    "threshold": "threshold",
    "rule.feedback_required": "feedback_required",
    "feedback_required": "feedback_required",
    "rule.program_kinds": "program_kinds",
    "program_kinds": "program_kinds",
}

PROGRAM_KINDS = [
    (Program.Kind.ONE_ON_ONE.value, _("1:1 programs")),
    (Program.Kind.DEVELOPMENT.value, _("Development programs")),
    (Program.Kind.GROUP.value, _("Group programs")),
]


class BadgeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the badge recognises, shown on its public page."),
    )
    use_accent = forms.BooleanField(
        label=_("Use the organisation's accent colour"),
        required=False,
        help_text=_("The badge then follows the accent colour if it changes."),
    )
    colour = forms.CharField(
        label=_("Colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    rule = forms.ChoiceField(
        label=_("What counts"),
        choices=[
            (BadgeDefinition.Rule.SESSIONS_AS_ROLE.value, _("Sessions held in one role")),
            (BadgeDefinition.Rule.DISTINCT_PARTNERS.value, _("Sessions with different people")),
        ],
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[
            (BadgeDefinition.Role.MENTOR.value, _("As mentor")),
            (BadgeDefinition.Role.MENTEE.value, _("As mentee")),
        ],
        widget=forms.RadioSelect,
        help_text=_("For sessions held in one role. Different people count in either role."),
    )
    threshold = forms.IntegerField(
        label=_("Needed to earn it"),
        min_value=1,
        max_value=MAX_THRESHOLD,
        help_text=_(
            "Sessions, or different people. Lowering it on an enabled badge asks you to "
            "confirm who is awarded."
        ),
        error_messages={
            "required": _("Enter how many it takes to earn the badge."),
            "invalid": _("Enter a whole number."),
            "min_value": _("Enter at least 1."),
            "max_value": _("Enter at most %(limit_value)s."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "badge-number"}),
    )
    feedback_required = forms.BooleanField(
        label=_("Count a session only once someone gave feedback on it"),
        required=False,
        help_text=_("Otherwise a session counts as soon as it is completed."),
    )
    program_kinds = forms.MultipleChoiceField(
        label=_("Programs whose sessions count"),
        choices=PROGRAM_KINDS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of program.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("rule") == BadgeDefinition.Rule.SESSIONS_AS_ROLE:
            if not cleaned.get("role") and "role" not in self.errors:
                self.add_error(
                    "role", _("Choose whose sessions count: the mentor's or the mentee's.")
                )
        else:
            # Different people count in either role: a role chosen before is ignored.
            cleaned["role"] = ""
        if cleaned.get("use_accent"):
            cleaned["colour"] = ""
            self.errors.pop("colour", None)
        elif not cleaned.get("colour") and "colour" not in self.errors:
            self.add_error("colour", _("Choose a colour, or use the organisation's accent colour."))
        return cleaned

    def badge_rule(self) -> BadgeRule:
        data = self.cleaned_data
        return BadgeRule(
            type=data["rule"],
            threshold=data["threshold"],
            role=data["role"],
            feedback_required=bool(data["feedback_required"]),
            program_kinds=tuple(data["program_kinds"]),
        )

    def add_service_error(self, error: LaurelError) -> None:
        """Each of the service's messages next to its field, the rest above the form."""
        placed = False
        for name, messages in error.errors.items():
            field = SERVICE_FIELDS.get(name)
            for message in messages:
                self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.detail)

    @staticmethod
    def initial_for(badge: BadgeDefinition, *, accent_colour: str) -> dict[str, Any]:
        return {
            "name": badge.name,
            "description": badge.description,
            "use_accent": not badge.colour,
            "colour": (badge.colour or accent_colour).lower(),
            "rule": badge.rule,
            "role": badge.role,
            "threshold": badge.threshold,
            "feedback_required": badge.feedback_required,
            "program_kinds": list(badge.program_kinds),
        }

    @staticmethod
    def initial_new(*, accent_colour: str) -> dict[str, Any]:
        return {
            "use_accent": True,
            "colour": accent_colour.lower(),
            "rule": BadgeDefinition.Rule.SESSIONS_AS_ROLE,
            "role": BadgeDefinition.Role.MENTOR,
            "threshold": 10,
            "feedback_required": False,
            "program_kinds": [Program.Kind.ONE_ON_ONE.value],
        }


# The fields of a rule change that the confirmation page carries back to the editor.
PENDING_FIELDS = (
    "name",
    "description",
    "use_accent",
    "colour",
    "rule",
    "role",
    "threshold",
    "feedback_required",
)


class BadgeImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_(
            "PNG or JPEG, square, up to 2 MB. Without one, an emblem is drawn in the badge's colour."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    use_emblem = forms.BooleanField(label=_("Remove the image and use the emblem"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("image") and not cleaned.get("use_emblem") and not self.errors:
            self.add_error("image", _("Choose an image to upload."))
        return cleaned


class BadgeRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason; it is kept in the badge's history.")},
    )
    public_reason = forms.BooleanField(
        label=_("Show the reason on the public page"),
        required=False,
        help_text=_("Otherwise the public page only says that the badge was revoked."),
    )

    def add_service_error(self, error: LaurelError) -> None:
        placed = False
        for field, messages in error.errors.items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.detail)
