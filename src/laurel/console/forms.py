"""Forms of the console pages: they parse what was typed; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from laurel.layouts import LAYOUTS
from laurel.programs.models import Invitation, Program


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, up to 2 MB and 2000 by 2000 pixels. Square logos look best."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    accent_colour = forms.CharField(
        label=_("Accent colour"),
        max_length=7,
        help_text=_("Used on certificates and pages, as #RRGGBB."),
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    linkedin_organisation_id = forms.CharField(
        label=_("LinkedIn organisation id"),
        required=False,
        max_length=200,
        help_text=_(
            "The number in your LinkedIn page's admin address (linkedin.com/company/12345678/admin)."
            " With it, “Add to profile” names your organisation as LinkedIn knows it."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    certificate_layout = forms.ChoiceField(
        label=_("Certificate layout"),
        choices=list(LAYOUTS.items()),
        help_text=_("How your certificates are printed, unless a certificate chooses another."),
        widget=forms.RadioSelect,
    )


PROGRAM_KINDS = [
    (Program.Kind.ONE_ON_ONE, _("1:1 — people meet in pairs")),
    (Program.Kind.DEVELOPMENT, _("Development — self-directed; certificates by hand")),
    (Program.Kind.GROUP, _("Group — people meet in groups; no certificates yet")),
]


class ProgramNewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=PROGRAM_KINDS,
        initial=Program.Kind.ONE_ON_ONE,
        widget=forms.RadioSelect,
    )


class ProgramSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PROGRAM_KINDS, widget=forms.RadioSelect)
    banner = forms.FileField(
        label=_("Banner"),
        required=False,
        help_text=_("PNG or JPEG, up to 5 MB; a wide image (4 by 1) such as 1600 by 400 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_banner = forms.BooleanField(label=_("Remove the banner"), required=False)
    allow_both_roles = forms.BooleanField(
        label=_("One person may be both a mentor and a mentee"), required=False
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(
        label=_("Invite as"),
        choices=[
            (Invitation.Role.MENTEE, _("Mentee")),
            (Invitation.Role.MENTOR, _("Mentor")),
            (Invitation.Role.ADMIN, _("Administrator of the organisation")),
        ],
    )
    program = forms.TypedChoiceField(
        label=_("Program"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Mentors and mentees join one program; administrators manage them all."),
    )

    def __init__(self, *args: object, programs: list[Program], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["program"].choices = [("", _("—"))] + [(p.pk, p.name) for p in programs]  # type: ignore[attr-defined]
