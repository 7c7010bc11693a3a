"""Forms of Track Progress and of one issued certificate: they parse what the admin typed; the services decide."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from laurel.accounts.models import NAME_MAX_LENGTH
from laurel.certificates.models import TEXT_MAX_LENGTH, CertificateDefinition
from laurel.certificates.tracking import DEFAULT_SORT, SORTS, TrackFilter
from laurel.errors import LaurelError

MAX_SESSIONS = 100_000
# The most people an admin can tick one by one; more are chosen by the filter.
MAX_TICKED = 500


def certificate_choices(
    definitions: Sequence[CertificateDefinition], *, blank: Any
) -> list[tuple[str, Any]]:
    return [("", blank), *((str(d.pk), d.name) for d in definitions)]


class TrackFilterForm(forms.Form):
    """Who Track Progress shows. Read from the query string, so a filtered page is a link."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), ("mentor", _("Mentor")), ("mentee", _("Mentee"))],
    )
    min = forms.IntegerField(
        label=_("Counting sessions from"), required=False, min_value=0, max_value=MAX_SESSIONS
    )
    max = forms.IntegerField(label=_("to"), required=False, min_value=0, max_value=MAX_SESSIONS)
    certificate = forms.ChoiceField(label=_("Certificate"), required=False)
    state = forms.ChoiceField(
        label=_("Holds it"),
        required=False,
        choices=[
            ("", _("Anyone")),
            ("earned", _("Earned")),
            ("not_earned", _("Not earned")),
            ("revoked", _("Revoked")),
        ],
    )
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self, data: Mapping[str, Any] | None, *, definitions: Sequence[CertificateDefinition]
    ) -> None:
        super().__init__(data)
        field = self.fields["certificate"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = certificate_choices(definitions, blank=_("Any certificate"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min"), data.get("max")
        if low is not None and high is not None and low > high:
            self.add_error("max", _("Make this at least %(low)s, the lower end.") % {"low": low})
        if data.get("state") and not data.get("certificate"):
            self.add_error("state", _("Choose the certificate this is about."))
        return data

    def selection(self, *, program_id: int) -> TrackFilter:
        """The filter as far as the input is valid: a field with an error is left out."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        certificate = data.get("certificate") or None
        state = data.get("state") or ""
        return TrackFilter(
            program_id=program_id,
            search=data.get("q") or "",
            role=data.get("role") or "",
            min_sessions=data.get("min"),
            max_sessions=data.get("max"),
            certificate_id=int(certificate) if certificate and state else None,
            state=state if certificate else "",
        )

    def sort_key(self) -> str:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return data.get("sort") or DEFAULT_SORT

    def page_number(self) -> int:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return int(data.get("page") or 1)


class BulkAwardForm(forms.Form):
    """Award a certificate to the people ticked on the page, or to everyone who matches."""

    award_certificate = forms.ChoiceField(label=_("Certificate to award"))
    scope = forms.ChoiceField(
        choices=[("ticked", _("The people ticked")), ("all", _("Everyone who matches"))],
        initial="ticked",
        widget=forms.RadioSelect,
    )
    # The checkboxes are in the table's rows; the field reads every ticked value.
    participant = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def __init__(
        self, data: Mapping[str, Any] | None, *, definitions: Sequence[CertificateDefinition]
    ) -> None:
        super().__init__(data)
        field = self.fields["award_certificate"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = certificate_choices(
            [d for d in definitions if d.enabled], blank=_("Choose a certificate")
        )
        self.fields["award_certificate"].error_messages["required"] = _(
            "Choose the certificate to award."
        )

    def clean_participant(self) -> list[int]:
        # Any id may be ticked; the service refuses those outside the program.
        raw = self.cleaned_data.get("participant") or []
        ids: list[int] = []
        for value in raw:
            if not str(value).isdigit() or len(str(value)) > 18:
                raise forms.ValidationError(_("The selection is not valid; tick the people again."))
            ids.append(int(value))
        if len(ids) > MAX_TICKED:
            raise forms.ValidationError(
                _("Tick at most %(max)s people, or choose everyone who matches the filter.")
                % {"max": MAX_TICKED}
            )
        return list(dict.fromkeys(ids))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "ticked" and "participant" in data and not data["participant"]:
            self.add_error(
                "participant",
                _("Tick the people to award, or choose everyone who matches the filter."),
            )
        return data


class ReasonForm(forms.Form):
    reason_label = _("Why is it reinstated?")

    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason; it is kept in the audit log.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = self.reason_label

    def add_service_error(self, error: LaurelError) -> None:
        """Show a refusal of the service next to the field it names, or above the form."""
        placed = False
        for field, messages in error.errors.items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.detail)


class RevokeForm(ReasonForm):
    reason_label = _("Why is it revoked?")
    public_reason = forms.BooleanField(
        label=_("Show the reason on the public page"),
        required=False,
        help_text=_("Otherwise the public page only says that the certificate was revoked."),
    )


class CorrectForm(ReasonForm):
    reason_label = _("Why is it corrected?")
    recipient_name = forms.CharField(label=_("Recipient name"), max_length=NAME_MAX_LENGTH)
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "This certificate only. Merge fields such as {recipient_name} and {date} are filled in."
        ),
    )
    field_order = ["recipient_name", "text", "reason"]
