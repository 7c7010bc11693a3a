"""People in the console: a program's participants, adding one, and importing a CSV file
(a cohort of people, or sessions and feedback).

Each view parses its input with a form, calls one service (the same the API and the
commands call) and turns the service's error into a message next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from laurel.console.access import administered_program
from laurel.errors import Conflict, LaurelError
from laurel.imports.files import csv_text
from laurel.imports.models import ImportRun
from laurel.imports.participants import participants_import
from laurel.imports.services import ImportRefused, record_import
from laurel.programs.models import Participant, Program
from laurel.programs.selectors import people_in_program
from laurel.programs.services import participant_add

# A file uploaded in the browser is imported while the browser waits: up to this many rows
# (a few seconds); larger files go through the import commands on the server.
UPLOAD_MAX_ROWS = 10_000
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
PROBLEMS_SHOWN = 200
SEARCH_MAX_LENGTH = 100


def _form_errors(form: forms.Form, error: LaurelError, *, fields: dict[str, str]) -> None:
    """Put a service's messages next to the fields they are about (``fields`` maps the
    service's field names to the form's); the rest go above the form."""
    placed = False
    for name, field_messages in error.errors.items():
        target = fields.get(name)
        for message in field_messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.detail)


class ParticipantForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Name is required.")},
    )
    email = forms.CharField(
        label=gettext_lazy("Email address"),
        max_length=254,
        error_messages={"required": gettext_lazy("Email address is required.")},
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[
            (Participant.Role.MENTOR, gettext_lazy("Mentor")),
            (Participant.Role.MENTEE, gettext_lazy("Mentee")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a role: mentor or mentee.")},
    )


def _search(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def participants(request: HttpRequest, program_id: int) -> HttpResponse:
    """The program's people, searchable, and a form to add one."""
    program = administered_program(request, program_id)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        typed_name = form.cleaned_data["name"].strip()
        try:
            participant = participant_add(
                program=program,
                email=form.cleaned_data["email"],
                name=typed_name,
                role=form.cleaned_data["role"],
            )
        except Conflict as conflict:
            form.add_error("email", conflict.detail)
        except LaurelError as error:
            _form_errors(form, error, fields={"name": "name", "email": "email", "role": "role"})
        else:
            role = participant.get_role_display().lower()
            user = participant.user
            if user.name != typed_name:
                messages.success(
                    request,
                    _(
                        "%(email)s was already known as %(name)s, and is now in the program"
                        " as a %(role)s under that name."
                    )
                    % {"email": user.email, "name": user.name, "role": role},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s is now in the program as a %(role)s.")
                    % {"name": user.name, "role": role},
                )
            return redirect("console:participants", program_id=program.pk)
    query = _search(request)
    listing = people_in_program(program=program, query=query, page_number=request.GET.get("page"))
    return render(
        request,
        "console/people.html",
        {
            "program": program,
            "console_tab": "people",
            "form": form,
            "query": query,
            "listing": listing,
        },
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("The file holds"),
        choices=[
            (ImportRun.Kind.PARTICIPANTS, gettext_lazy("People: a cohort to add")),
            (ImportRun.Kind.RECORD, gettext_lazy("Sessions and feedback")),
        ],
        initial=ImportRun.Kind.PARTICIPANTS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        error_messages={
            "required": gettext_lazy("Choose a CSV file to upload."),
            "empty": gettext_lazy("The file is empty; it needs a header row and at least one row."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; a file uploaded here may be at most %(limit)s MB."
                    " Split it, or have it imported on the server with the import command."
                )
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": UPLOAD_MAX_BYTES // 1024 // 1024,
                }
            )
        return upload


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def participants_import_page(request: HttpRequest, program_id: int) -> HttpResponse:
    """Upload a CSV file: checked whole, imported only if every row is right."""
    program = administered_program(request, program_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    refused: ImportRefused | None = None
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            stream = csv_text(form.cleaned_data["file"].file)
            if kind == ImportRun.Kind.PARTICIPANTS:
                participants_import(program=program, stream=stream, max_rows=UPLOAD_MAX_ROWS)
            else:
                record_import(program=program, stream=stream, max_rows=UPLOAD_MAX_ROWS)
        except ImportRefused as problems:
            refused = problems
        except LaurelError as error:
            _form_errors(form, error, fields={"file": "file"})
        else:
            run = ImportRun.objects.filter(program=program, kind=kind).order_by("-pk").first()
            url = reverse("console:participants_import", kwargs={"program_id": program.pk})
            return redirect(f"{url}?run={run.pk}" if run else url)
    return render(
        request,
        "console/people_import.html",
        _import_context(request, program, form, refused),
    )


def _import_context(
    request: HttpRequest, program: Program, form: ImportForm, refused: ImportRefused | None
) -> dict[str, Any]:
    done = None
    run_id = request.GET.get("run", "")
    if run_id.isdigit() and len(run_id) < 19:
        done = ImportRun.objects.filter(
            program=program, pk=int(run_id), state=ImportRun.State.DONE
        ).first()
    return {
        "program": program,
        "console_tab": "people",
        "form": form,
        "refused": refused,
        "problems": refused.problems[:PROBLEMS_SHOWN] if refused else [],
        "more_problems": max(0, len(refused.problems) - PROBLEMS_SHOWN) if refused else 0,
        "done": done,
        "recent": list(ImportRun.objects.filter(program=program).order_by("-pk")[:5]),
        "max_rows": UPLOAD_MAX_ROWS,
        "max_megabytes": UPLOAD_MAX_BYTES // 1024 // 1024,
    }
