"""Pairings in the console: the program's pairings, pairing two people, and one pairing's
sessions with their feedback.

Choosing the two people works without JavaScript: each list is a select of at most 50
people, and a search button next to it reloads the page with the people who match,
keeping what was typed and chosen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from laurel.console.access import administered_pairing, administered_program
from laurel.errors import Conflict, LaurelError
from laurel.programs.models import Participant, Program
from laurel.programs.selectors import (
    Choices,
    pairing_record_page,
    pairings_in_program,
    participant_choices,
)
from laurel.programs.services import pairing_record, pairing_with_members

SEARCH_MAX_LENGTH = 100
ROLES: tuple[str, str] = (Participant.Role.MENTOR.value, Participant.Role.MENTEE.value)


def _text(data: Any, name: str) -> str:
    return str(data.get(name, "")).strip()[:SEARCH_MAX_LENGTH]


def _chosen(data: Any, name: str) -> int | None:
    value = str(data.get(name, ""))
    return int(value) if value.isdigit() and len(value) < 19 else None


class PairingForm(forms.Form):
    """Two participants of the program: a mentor and a mentee."""

    mentor = forms.TypedChoiceField(coerce=int, empty_value=None)
    mentee = forms.TypedChoiceField(coerce=int, empty_value=None)

    def __init__(self, data: Any, *, choices: dict[str, Choices]) -> None:
        super().__init__(data)
        for role in ROLES:
            field = self.fields[role]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", "")] + [
                (p.pk, f"{p.user.name} <{p.user.email}>") for p in choices[role].options
            ]
            field.error_messages["required"] = (
                _("Choose a mentor.") if role == Participant.Role.MENTOR else _("Choose a mentee.")
            )
            field.error_messages["invalid_choice"] = _(
                "Choose someone from this program's list; search to find them."
            )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pairings(request: HttpRequest, program_id: int) -> HttpResponse:
    """The program's pairings, searchable, and a form to pair a mentor with a mentee."""
    program = administered_program(request, program_id)
    data = request.POST if request.method == "POST" else request.GET
    searches = {role: _text(data, f"{role}_search") for role in ROLES}
    choices = {
        role: participant_choices(
            program=program,
            role=role,
            query=searches[role],
            selected_id=_chosen(data, role),
        )
        for role in ROLES
    }
    # The search buttons post the form too (so that what was chosen stays chosen); only the
    # create button creates.
    creating = request.method == "POST" and request.POST.get("action") == "create"
    form = PairingForm(request.POST if creating else None, choices=choices)
    duplicate = None
    if creating and form.is_valid():
        chosen = Participant.objects.filter(program=program).select_related("user")
        people = chosen.in_bulk([form.cleaned_data[role] for role in ROLES])
        members = [people[form.cleaned_data[role]] for role in ROLES]
        try:
            recorded = pairing_record(program=program, participants=members)
        except Conflict as conflict:
            form.add_error(None, conflict.detail)
            duplicate = pairing_with_members(
                program=program, participant_ids=[m.pk for m in members]
            )
        except LaurelError as error:
            for message in [m for ms in error.errors.values() for m in ms] or [error.detail]:
                form.add_error("mentee", message)
        else:
            messages.success(
                request,
                _("%(mentor)s and %(mentee)s are now paired.")
                % {"mentor": members[0].user.name, "mentee": members[1].user.name},
            )
            return redirect("console:pairing", pairing_id=recorded.value.pk)
    query = _text(request.GET, "q")
    return render(
        request,
        "console/pairings.html",
        {
            "program": program,
            "console_tab": "pairings",
            "form": form,
            "choices": choices,
            "searches": searches,
            "selected": {role: _chosen(data, role) for role in ROLES},
            "duplicate": duplicate,
            "query": query,
            "listing": pairings_in_program(
                program=program,
                query=query,
                page_number=request.GET.get("page"),
                now=timezone.now(),
            ),
            "choices_shown": _shown(choices),
        },
    )


def _shown(choices: dict[str, Choices]) -> dict[str, int]:
    return {role: min(len(c.options), c.matching) for role, c in choices.items()}


@require_safe
@login_required
def pairing(request: HttpRequest, pairing_id: int) -> HttpResponse:
    """One pairing: its members, and its sessions with the feedback each member gave."""
    found = administered_pairing(request, pairing_id)
    program: Program = found.program
    return render(
        request,
        "console/pairing.html",
        {
            "program": program,
            "console_tab": "pairings",
            "record": pairing_record_page(pairing=found, page_number=request.GET.get("page")),
        },
    )
