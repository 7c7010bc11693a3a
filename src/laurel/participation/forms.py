"""The participant's forms. They parse what was typed; the record's services decide whether
it may be written (the same rules and messages as the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from laurel.errors import LaurelError
from laurel.participation import timezones

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
DEFAULT_DURATION_MINUTES = 60

RATING_CHOICES = [
    (1, _("1 — Not useful")),
    (2, _("2 — Somewhat useful")),
    (3, _("3 — Useful")),
    (4, _("4 — Very useful")),
]


class WallClockField(forms.Field):
    """A date and time as a person reads it on their clock, without a zone: the form pairs
    it with the zone chosen beside it."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMATS[0])
    default_error_messages = {
        "invalid": _("Enter a date and time, for example 2026-03-01 10:00."),
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for pattern in LOCAL_FORMATS:
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezones.zone_names()]


class FormWithServiceErrors(forms.Form):
    """A form that shows a service's refusal next to the field it is about (the services
    name fields as the forms do); a refusal about the session itself goes above the form."""

    def add_service_error(self, error: LaurelError) -> None:
        # The record's messages are marked for translation and translated here, as shown.
        if not error.errors:
            self.add_error(None, gettext(error.detail))
            return
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, gettext(message))


class ScheduleForm(FormWithServiceErrors):
    starts_at = WallClockField(
        label=_("Date and time"),
        error_messages={"required": _("Enter the date and time the session starts.")},
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_zone_choices,
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        widget=forms.NumberInput(attrs={"min": 1, "max": 24 * 60, "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter how long the session lasts, in minutes."),
            "invalid": _("Enter the duration as a whole number of minutes, for example 60."),
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        local, zone_name = cleaned.get("starts_at"), cleaned.get("timezone")
        zone = timezones.zone_named(zone_name) if zone_name else None
        if local is not None and zone is not None:
            instant = timezones.wall_clock_to_utc(local, zone)
            if instant is None:
                self.add_error(
                    "starts_at",
                    _(
                        "%(time)s does not exist in %(zone)s: the clocks go forward then."
                        " Choose another time."
                    )
                    % {"time": local.strftime("%H:%M"), "zone": zone_name},
                )
            else:
                cleaned["starts_at_utc"] = instant
        return cleaned


class FeedbackForm(FormWithServiceErrors):
    rating = forms.IntegerField(
        label=_("How useful was this session?"),
        widget=forms.RadioSelect(choices=RATING_CHOICES),
        error_messages={
            "required": _("Choose a rating from 1 to 4."),
            "invalid": _("Choose a rating from 1 to 4."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class TimezoneForm(forms.Form):
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_zone_choices,
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )
