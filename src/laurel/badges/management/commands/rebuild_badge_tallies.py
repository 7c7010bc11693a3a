from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from laurel.badges.services import badges_tallies_rebuild
from laurel.programs.models import Organisation


class Command(BaseCommand):
    help = "Recompute the badge tallies from the mentorship record (all organisations, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", type=int, help="Only this organisation (its id).")

    def handle(self, *args: Any, organisation: int | None = None, **options: Any) -> None:
        organisations = (
            Organisation.objects.all()
            if organisation is None
            else Organisation.objects.filter(pk=organisation)
        )
        if organisation is not None and not organisations.exists():
            self.stderr.write(f"There is no organisation with id {organisation}.")
            raise SystemExit(2)
        for each in organisations.order_by("pk"):
            rows = badges_tallies_rebuild(organisation=each)
            self.stdout.write(f"{each.name}: badge tallies rebuilt ({rows} rows)")
