from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from laurel.certificates.services import progress_rebuild
from laurel.programs.models import Program


class Command(BaseCommand):
    help = "Recompute certificate progress from the mentorship record (all programs, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", type=int, help="Only this program (its id).")

    def handle(self, *args: Any, program: int | None = None, **options: Any) -> None:
        programs = Program.objects.all() if program is None else Program.objects.filter(pk=program)
        if program is not None and not programs.exists():
            self.stderr.write(f"There is no program with id {program}.")
            raise SystemExit(2)
        for each in programs.order_by("pk"):
            rows = progress_rebuild(program=each)
            self.stdout.write(f"{each.name}: progress rebuilt for {rows} people")
