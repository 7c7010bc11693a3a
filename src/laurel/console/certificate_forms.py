"""The certificate form: parses what the admin typed; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from laurel.certificates.models import TEXT_MAX_LENGTH, CertificateDefinition
from laurel.certificates.services import MAX_THRESHOLD, RuleInput
from laurel.errors import InvalidInput
from laurel.rendering import LAYOUTS

# Where a service's field name lands on the form.
SERVICE_FIELDS = {
    "name": "name",
    "text": "text",
    "colour": "colour",
    "layout": "layout",
    "rule": "rule",
    "rule.type": "rule",
    "rule.threshold": "threshold",
    "rule.guidance": "guidance",
}


class CertificateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, strip=False)
    text = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX_LENGTH, strip=False, widget=forms.Textarea
    )
    colour = forms.CharField(label=_("Colour"), max_length=7)
    layout = forms.ChoiceField(label=_("Layout"), required=False)
    rule = forms.ChoiceField(
        label=_("How it is awarded"),
        choices=[
            (CertificateDefinition.Rule.SESSIONS_COMPLETED, _("Automatically, after sessions")),
            (CertificateDefinition.Rule.MANUAL, _("By an admin")),
        ],
        widget=forms.RadioSelect,
    )
    threshold = forms.IntegerField(
        label=_("Sessions needed"),
        required=False,
        min_value=1,
        max_value=MAX_THRESHOLD,
        error_messages={"invalid": _("Enter the number of sessions as a whole number.")},
    )
    guidance = forms.CharField(
        label=_("Guidance for participants"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, organisation_layout: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = LAYOUTS.get(organisation_layout) or LAYOUTS["classic"]
        layout = self.fields["layout"]
        assert isinstance(layout, forms.ChoiceField)
        layout.choices = [
            ("", _("Organisation default (%(layout)s)") % {"layout": default}),
            *LAYOUTS.items(),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The other rule's field is hidden and ignored: a problem there is no problem.
        ignored = (
            "threshold" if cleaned.get("rule") == CertificateDefinition.Rule.MANUAL else "guidance"
        )
        self.errors.pop(ignored, None)
        if (
            cleaned.get("rule") == CertificateDefinition.Rule.SESSIONS_COMPLETED
            and cleaned.get("threshold") is None
            and "threshold" not in self.errors
        ):
            self.add_error("threshold", _("Enter how many counting sessions earn it."))
        return cleaned

    def rule_input(self) -> RuleInput:
        data = self.cleaned_data
        if data["rule"] == CertificateDefinition.Rule.SESSIONS_COMPLETED:
            return RuleInput(type=data["rule"], threshold=data["threshold"])
        return RuleInput(type=data["rule"], guidance=data.get("guidance") or "")

    def add_service_error(self, error: InvalidInput) -> None:
        """Each of the service's messages next to its field, the rest above the form."""
        if not error.errors:
            self.add_error(None, error.detail)
        for name, messages in error.errors.items():
            field = SERVICE_FIELDS.get(name)
            for message in messages:
                self.add_error(field, message)

    @classmethod
    def initial_for(cls, definition: CertificateDefinition) -> dict[str, Any]:
        return {
            "name": definition.name,
            "text": definition.text,
            "colour": definition.colour,
            "layout": definition.layout,
            "rule": definition.rule,
            "threshold": definition.threshold,
            "guidance": definition.guidance,
        }
