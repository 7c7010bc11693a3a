"""Reporting: where a program's participants stand towards its certificates, and the
export of everyone as CSV."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template import Context
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from laurel.certificates.reporting import (
    ReportCell,
    ReportRow,
    certificate_report,
    export_rows,
    report_definitions,
)
from laurel.certificates.templatetags.page_styles import style_class
from laurel.console.access import administered_program
from laurel.programs.models import Program

# Sessions waiting for feedback listed per person; the rest are counted.
WAITING_SHOWN = 3
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def pairing_link(program: Program) -> Callable[[int], str | None]:
    """How to link to the console's page of a pairing, where the console has one."""
    for names in (("program_id", "pairing_id"), ("pairing_id",)):
        try:
            reverse("console:pairing", kwargs=dict.fromkeys(names, 1))
        except NoReverseMatch:
            continue
        fixed = {"program_id": program.pk} if "program_id" in names else {}
        return lambda pairing_id: reverse(
            "console:pairing", kwargs={**fixed, "pairing_id": pairing_id}
        )
    return lambda pairing_id: None


@require_GET
@login_required
def reporting(request: HttpRequest, program_id: int) -> HttpResponse:
    program = administered_program(request, program_id)
    report = certificate_report(program=program, page_number=request.GET.get("page"))
    link = pairing_link(program)
    styles = Context({"request": request})
    people = [_row_view(row, link, styles) for row in report.rows]
    context: dict[str, Any] = {
        "program": program,
        "console_tab": "reporting",
        "report": report,
        "people": people,
        "revoked_label": _("Revoked"),
    }
    return render(request, "console/reporting.html", context)


@dataclass(frozen=True)
class WaitingView:
    iso: str
    text: str
    partners: str
    # The pairing's page, where the console has one.
    link: str | None


@dataclass(frozen=True)
class CellView:
    kind: str  # earned, revoked, progress or none
    text: str
    iso: str = ""
    classes: str = ""
    bar_class: str = ""


@dataclass(frozen=True)
class RowView:
    """One person's row, with its dates, texts and bar widths worked out here rather than
    by template tags in a loop of fifty rows."""

    name: str
    roles: str
    sessions_completed: int
    sessions_counting: int
    waiting: list[WaitingView]
    more: str
    cells: list[CellView]


def _day(value: datetime) -> tuple[str, str]:
    local = timezone.localtime(value)
    return local.date().isoformat(), dateformat.format(local, "j M Y")


def _cell_view(cell: ReportCell, styles: Context) -> CellView:
    award = cell.award
    if award is not None:
        iso, text = _day(award.issued_at)
        if award.status == "revoked":
            return CellView("revoked", _("earned %(date)s") % {"date": text}, iso)
        return CellView("earned", text, iso)
    if cell.sessions_required:
        return CellView(
            "progress",
            _("%(done)d of %(needed)d")
            % {"done": cell.sessions_shown, "needed": cell.sessions_required},
            classes=style_class(styles, "--seal", cell.definition.colour),
            bar_class=style_class(styles, "width", cell.percent),
        )
    return CellView("none", _("Not earned"))


def _row_view(row: ReportRow, link: Callable[[int], str | None], styles: Context) -> RowView:
    waiting = []
    for session in row.waiting[:WAITING_SHOWN]:
        iso, text = _day(session.starts_at)
        partners = _("with %(names)s") % {"names": ", ".join(session.partners)}
        waiting.append(
            WaitingView(iso, text, partners if session.partners else "", link(session.pairing_id))
        )
    more = len(row.waiting) - WAITING_SHOWN
    return RowView(
        name=row.name,
        roles=", ".join(row.roles),
        sessions_completed=row.sessions_completed,
        sessions_counting=row.sessions_counting,
        waiting=waiting,
        more=ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more} if more > 0 else "",
        cells=[_cell_view(cell, styles) for cell in row.certificates],
    )


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
