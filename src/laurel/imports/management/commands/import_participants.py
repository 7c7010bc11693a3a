"""Add a cohort to a program from a CSV file: one row per person and role."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laurel.errors import LaurelError
from laurel.imports.files import csv_text
from laurel.imports.participants import participants_import
from laurel.imports.services import ImportRefused
from laurel.programs.models import Program


class Command(BaseCommand):
    help = "Add people to one program from a CSV file with the columns name, email, role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", type=int, required=True, help="the program's id")
        parser.add_argument("file", help="the CSV file, UTF-8, one row per person and role")

    def handle(self, *args: Any, **options: Any) -> None:
        program = (
            Program.objects.select_related("organisation").filter(pk=options["program"]).first()
        )
        if program is None:
            raise CommandError(f"There is no program with id {options['program']}.")
        started = time.perf_counter()
        try:
            with open(options["file"], "rb") as binary:
                result = participants_import(program=program, stream=csv_text(binary))
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(refused.detail) from None
        except LaurelError as error:
            raise CommandError(error.detail) from None
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted. Import the same file again to complete it: people already"
                " added are not added twice."
            ) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Imported {result.rows} rows in {seconds:.1f} s: {result.people_created} new"
            f" people, {result.participants_created} added to the program,"
            f" {result.already_in_program} already in it."
        )
