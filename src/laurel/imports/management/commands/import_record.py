"""Import a program's record (participants, pairings, sessions, feedback) from a CSV file."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laurel.errors import LaurelError
from laurel.imports.files import csv_text
from laurel.imports.models import ImportRun
from laurel.imports.services import ImportRefused, record_import
from laurel.programs.models import Program


class Command(BaseCommand):
    help = "Import sessions and feedback for one program from a CSV file (see the README)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", type=int, required=True, help="the program's id")
        parser.add_argument("file", help="the CSV file, UTF-8, one row per session")

    def handle(self, *args: Any, **options: Any) -> None:
        program = (
            Program.objects.select_related("organisation").filter(pk=options["program"]).first()
        )
        if program is None:
            raise CommandError(f"There is no program with id {options['program']}.")
        started = time.perf_counter()
        try:
            with open(options["file"], "rb") as binary:
                result = record_import(program=program, stream=csv_text(binary))
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(refused.detail) from None
        except LaurelError as error:
            raise CommandError(error.detail) from None
        except KeyboardInterrupt:
            raise CommandError(_stopped_message(program)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Imported {result.rows} rows in {seconds:.1f} s: {result.people_created} new people,"
            f" {result.participants_created} new participants, {result.pairings_created} new"
            f" pairings, {result.sessions_created} new sessions, {result.sessions_completed}"
            f" sessions completed, {result.sessions_cancelled} sessions cancelled,"
            f" {result.feedback_created} feedback,"
            f" {result.awarded} certificates awarded."
        )


def _stopped_message(program: Program) -> str:
    run = ImportRun.objects.filter(program=program).order_by("-pk").first()
    if run is None or not run.applied_through_line:
        return "Interrupted before anything was imported."
    return (
        f"Interrupted: the rows up to line {run.applied_through_line} were imported."
        " Import the same file again to complete it."
    )
