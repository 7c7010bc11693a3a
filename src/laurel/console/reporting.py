"""Reporting: where a program's participants stand towards its certificates, and the
export of everyone as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from laurel.certificates.reporting import (
    ReportCell,
    certificate_report,
    export_rows,
    report_definitions,
)
from laurel.console.access import administered_program
from laurel.programs.models import Program

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def pairing_url(program: Program, pairing_id: int) -> str | None:
    """The console's page of a pairing, where the console has one."""
    for kwargs in (
        {"program_id": program.pk, "pairing_id": pairing_id},
        {"pairing_id": pairing_id},
    ):
        try:
            return reverse("console:pairing", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


@require_GET
@login_required
def reporting(request: HttpRequest, program_id: int) -> HttpResponse:
    program = administered_program(request, program_id)
    report = certificate_report(program=program, page_number=request.GET.get("page"))
    # Each session waiting for feedback links to its pairing's page, where there is one.
    people = [
        (row, [(session, pairing_url(program, session.pairing_id)) for session in row.waiting])
        for row in report.rows
    ]
    context: dict[str, Any] = {
        "program": program,
        "console_tab": "reporting",
        "report": report,
        "people": people,
    }
    return render(request, "console/reporting.html", context)


class _Echo:
    """A file that hands back what is written to it, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def _certificate_cell(cell: ReportCell) -> list[str]:
    award = cell.award
    if award is not None:
        status = _("revoked") if award.status == "revoked" else _("earned")
        return [status, timezone.localdate(award.issued_at).isoformat()]
    if cell.sessions_required:
        return [
            _("%(done)d of %(needed)d")
            % {"done": cell.sessions_shown, "needed": cell.sessions_required},
            "",
        ]
    return [_("not earned"), ""]


def _export_lines(program: Program) -> Iterator[str]:
    writer = csv.writer(_Echo())
    definitions = report_definitions(program=program)
    header = [
        _("Name"),
        _("Email"),
        _("Roles"),
        _("Sessions completed"),
        _("Sessions counting"),
        _("Completed sessions waiting for feedback"),
    ]
    for definition in definitions:
        header += [definition.name, _("%(name)s: earned on") % {"name": definition.name}]
    yield writer.writerow([csv_cell(value) for value in header])
    for row in export_rows(program=program, definitions=definitions):
        values: list[object] = [
            row.name,
            row.email,
            ", ".join(row.roles),
            row.sessions_completed,
            row.sessions_counting,
            row.sessions_completed - row.sessions_counting,
        ]
        for cell in row.certificates:
            values += _certificate_cell(cell)
        yield writer.writerow([csv_cell(value) for value in values])


@require_GET
@login_required
def reporting_export(request: HttpRequest, program_id: int) -> StreamingHttpResponse:
    """Everyone's progress as CSV, streamed a chunk of people at a time."""
    program = administered_program(request, program_id)
    name = slugify(program.name) or "program"
    response = StreamingHttpResponse(_export_lines(program), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-progress-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
