"""Create an API token for an organisation and print it (the only time it is shown)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laurel.api.services import api_token_create
from laurel.errors import LaurelError
from laurel.programs.models import Organisation


class Command(BaseCommand):
    help = "Create an API token for an organisation; it is printed once and stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="the organisation's short name (slug)")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with the short name {options['org']!r}.")
        try:
            new = api_token_create(organisation=organisation, name=options["name"])
        except LaurelError as error:
            raise CommandError(error.detail) from None
        self.stdout.write(new.raw)
        self.stderr.write(
            f"Token {new.token.prefix}… for {organisation.name}. Store it now: it is not shown again."
        )
